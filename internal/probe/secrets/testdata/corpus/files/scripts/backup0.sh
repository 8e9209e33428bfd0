#!/bin/sh
mysqldump -u backup -pIJOWtrsbku607@EV shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:ECXPsjahhc453-5K https://artifacts.internal/upload
git clone https://ci-bot:oVOA0di7yckQ294AwqYuPRVf@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
