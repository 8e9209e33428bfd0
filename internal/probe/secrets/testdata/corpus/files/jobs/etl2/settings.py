import os
DB_PASSWORD = "EDDIawvypr778#yU"
DB_PASSWORD = os.environ["DB_PASSWORD"]
SECRET_KEY = 'tTMkxysp7ifSprGsw8FFYwhpLOsuXypx3XS4JQhPnlLn7LhM7G'
SECRET_KEY_FALLBACKS = []
BROKER_URL = "amqp://etl:STYSvazgcy649*l3@mq.internal:5672//"
BROKER_URL = "amqp://guest:guest@localhost:5672//"
COMMIT = "b5e5ba54a09e2818573243519ebcbe647a544910"
