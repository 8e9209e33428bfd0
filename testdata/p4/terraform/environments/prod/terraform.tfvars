environment  = "production"
db_encrypted = true
