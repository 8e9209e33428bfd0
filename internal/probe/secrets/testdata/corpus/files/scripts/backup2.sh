#!/bin/sh
mysqldump -u backup -pGIMMnkvmtg022%Yk shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:GKLNbefmec548*oZ https://artifacts.internal/upload
git clone https://ci-bot:Z0m9dWY0gEWDMlUttFhrxis9@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
