$db_pass = "EAHGlfeprb634!K1";
$password = $_POST["password"];
$hash = '$2y$10$klIMHrsQdYmXwwFDoAv311RG0Yuv.52TuehEbuu9PQG7JIQB6Q/4Q';
