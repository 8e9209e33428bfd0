$db_pass = "ORTXnsvtqi510_vx";
$password = $_POST["password"];
$hash = '$2y$10$yS6Y6nqa31CSg.CzZ01Du/yFhYKJcaqhGGfMXWTvXCYmn.irKAG5L';
