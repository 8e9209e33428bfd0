<?php
define( 'DB_NAME', 'site1' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'ZTMSbtxqoe225_sD' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY', 'xNXxW0|bShy^N.*O]CereMmAa.=Tp(eeAhS)ys{Hh&87.xo5?ff{+2wpSO6.4D!V' );
define( 'SECURE_AUTH_KEY', '}Q(tp.#myy9bJDAFr#ucEi7%X58j{2LdQq(/fl+*114tqm-QU,,tj2JX)i6#_-oa' );
define( 'LOGGED_IN_KEY', ']eLSd3<2Nda?_X]4w7+92qXa#Ys}S2t=iXiTO}Z:^V%R8LJ5fVmKtuuymk0X>g1<' );
define( 'NONCE_KEY', '|G[@4wGZuU,Af}:g(0E^@ruhc~J}]o4nfj0#>T.FsW8tNGxGVo}@<_6ZHy.)UH:p' );
define( 'AUTH_SALT', 'put your unique phrase here' );
