import os
DB_PASSWORD = "NYOTjisoht470%nQ"
DB_PASSWORD = os.environ["DB_PASSWORD"]
SECRET_KEY = 'wCYpdhkyzgbVfobjbELvdBikaD5Smgm2chvSYZ0YaIPEi6saQ2'
SECRET_KEY_FALLBACKS = []
BROKER_URL = "amqp://etl:VTLOgzymnb561-um@mq.internal:5672//"
BROKER_URL = "amqp://guest:guest@localhost:5672//"
COMMIT = "b3cba63ffcf1d91796c5a667775ccb2547b02878"
