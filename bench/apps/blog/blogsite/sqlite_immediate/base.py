"""Django's SQLite backend with two changes that matter under concurrent gunicorn workers.

1. Transactions (every `atomic` block, e.g. each admin add/change/delete view) start with
   BEGIN IMMEDIATE instead of a deferred BEGIN. A deferred transaction that reads first and writes
   later cannot upgrade its lock when another worker committed in between: SQLite answers
   SQLITE_BUSY at once, without waiting for the busy timeout, and the admin view fails with
   "database is locked". Taking the write lock up front makes writers queue on the busy timeout
   instead. Django 5.1 offers the same as the "transaction_mode" option; 3.2 needs this subclass.
2. Every connection uses WAL journaling (readers never wait for a writer) and synchronous=NORMAL
   (a commit does not wait for fsync): the benchmark measures the interpreter, not the disk.
"""
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        # Cursors are closed explicitly: PyPy frees them late, and an open statement makes
        # SQLite refuse the next COMMIT ("SQL statements in progress").
        conn.execute("PRAGMA journal_mode=WAL").close()
        conn.execute("PRAGMA synchronous=NORMAL").close()
        return conn

    def _start_transaction_under_autocommit(self):
        with self.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")
