#!/bin/sh
mysqldump -u backup -pYRWDvjwklg934_zB shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:KVMTgbeeez235-A2 https://artifacts.internal/upload
git clone https://ci-bot:d7iky576ifOO8xtY3PIM8MPO@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
