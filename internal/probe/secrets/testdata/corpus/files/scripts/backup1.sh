#!/bin/sh
mysqldump -u backup -pISQZxkqlgm837!OU shop > /backups/shop.sql
mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql
curl -u deploy:BTVHspcbep523+IP https://artifacts.internal/upload
git clone https://ci-bot:lNLJvLvf5ecWITg7RtSvwm9L@git.internal/platform/infra.git
git clone https://github.com/org/repo.git
