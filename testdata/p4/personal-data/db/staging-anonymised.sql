-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
-- posture-anonymized: v1 key-id=5e1f0c2a9b7d
--
-- Host: localhost    Database: shop_staging

LOCK TABLES `wp_users` WRITE;
INSERT INTO `wp_users` (`ID`, `user_login`, `user_pass`, `user_email`, `display_name`) VALUES (1,'user1','','user1@example.com','User 1'),(2,'user2','','user2@example.com','User 2'),(3,'user3','','user3@example.com','User 3');
UNLOCK TABLES;

-- Added by hand after anonymising, to reproduce ticket #4411:
INSERT INTO `wp_usermeta` (`umeta_id`, `user_id`, `meta_key`, `meta_value`) VALUES (90,3,'billing_email','b.okafor@outlook.com'),(91,3,'billing_phone','+44 7700 900123');
