import os
DB_PASSWORD = "NAVZiooyxg456*Xh"
DB_PASSWORD = os.environ["DB_PASSWORD"]
SECRET_KEY = 'sMLYPX6L0k7e9MLrRhbHv9kxnkad8qMWbwmPX3wQI739FxTIFr'
SECRET_KEY_FALLBACKS = []
BROKER_URL = "amqp://etl:ARUHyemgcp479%As@mq.internal:5672//"
BROKER_URL = "amqp://guest:guest@localhost:5672//"
COMMIT = "2e90a21a587e7ed5c1e943ec9ae6e8a9bafa018e"
