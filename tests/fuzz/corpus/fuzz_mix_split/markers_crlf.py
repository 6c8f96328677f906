def f(x):
    ### SHALLOW SEPARATOR ###
    return x
### SECTION SEPARATOR ###
async def g(): pass