"""Storage: the database (tables, migrations, connections) and the blob store."""
