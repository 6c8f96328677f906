X = 1
### SECTION SEPARATOR ###
def f():
    return X
### SECTION SEPARATOR ###
def g():
    return 2
