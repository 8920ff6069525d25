"""Django's PostgreSQL backend with the pool's lend-out check of petcommunity.dbpool (ENGINE
"petcommunity.postgres", set by the settings when DATABASE_POOL_MAX_SIZE turns the pool on)."""
