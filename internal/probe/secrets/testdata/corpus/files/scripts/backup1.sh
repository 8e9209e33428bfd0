#!/bin/sh
mysqldump -u backup -pMNDYgwyqtc949@Z1 shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:XKQLgmyqgp009*LF https://artifacts.internal/upload
git clone https://ci-bot:ed2iEZv6iosIPlNLJvLvf5ec@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
