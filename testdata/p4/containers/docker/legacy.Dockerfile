FROM php:8.3-fpm-alpine@sha256:0a7b6fe3d76fa3c07f5b3ac4a5d3f0a9aa1c2b1e0d4f0f1dc9d3d5a1c2e3f4a5
RUN docker-php-ext-install pdo_mysql
FORM nginx:1.27-alpine
USER www-data
