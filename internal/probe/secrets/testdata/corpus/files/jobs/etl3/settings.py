import os
DB_PASSWORD = "UMOIlvyhok242%JE"
DB_PASSWORD = os.environ["DB_PASSWORD"]
SECRET_KEY = 'l9fNWQQGF3KVCFJWNxa82klnUkS5x6c4GwEMD9xouzXKdgMLwn'
SECRET_KEY_FALLBACKS = []
BROKER_URL = "amqp://etl:IVUVbnrjjo796-o0@mq.internal:5672//"
BROKER_URL = "amqp://guest:guest@localhost:5672//"
COMMIT = "c7482ebd0dec9cec8b1e3d9bb5b440318d19f184"
