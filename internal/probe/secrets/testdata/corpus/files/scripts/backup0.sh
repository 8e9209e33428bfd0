#!/bin/sh
mysqldump -u backup -pNAORpxecxp940*o3 shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:CJKGvkshxu602_ck https://artifacts.internal/upload
git clone https://ci-bot:Q294AwqYuPRVfyAgXnTXHNfN@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
