ARG PHP_VERSION=8.3
FROM php:${PHP_VERSION}-fpm-alpine
RUN docker-php-ext-install pdo_mysql
