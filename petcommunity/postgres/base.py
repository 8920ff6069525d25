"""Django's PostgreSQL DatabaseWrapper, whose pool checks a connection it lends with check_when_readable.

Django hands psycopg_pool its own check (an empty query on every checkout) or none, with no way to
pass another, so this builds the pool as Django does with that one argument changed.
"""

from django.db.backends.postgresql import base

from petcommunity.dbpool import check_when_readable


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == base.NO_DB_ALIAS or not options:
            return None
        if self.alias not in self._connection_pools:
            from psycopg_pool import ConnectionPool

            pool = ConnectionPool(
                # autocommit as Django opens pooled connections; it sets the request's own mode later
                kwargs={**self.get_connection_params(), "autocommit": True},
                open=False,  # opened on first use, not at start-up
                configure=self._configure_connection,
                check=check_when_readable,
                **({} if options is True else options),
            )
            # Two threads may build one at once; the first stored wins, as in Django.
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
