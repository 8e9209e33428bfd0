#!/usr/bin/env python3
"""Writes the corpus of the dependency benchmark (bench/deps): lockfiles of real-world shape
and an OSV database that matches them, deterministically from a seed. Python 3 stdlib only.

usage: gen_corpus.py OUTDIR [--seed N]

OUTDIR/cases/npm-2000/package-lock.json   one npm lockfile, v3, 2,000 packages
OUTDIR/cases/composer-300/composer.lock   one composer.lock, ~300 packages
OUTDIR/cases/monorepo-50/...              50 lockfiles of 11 formats (+ go.sum, package.json)
OUTDIR/osv-json/<Ecosystem>/<ID>.json     the OSV records, one file each (schema 1.6)
OUTDIR/osv/<Ecosystem>/all.zip            the same records, zipped as osv-scanner's offline
                                          mode reads them under its osv-scalibr/ directory
OUTDIR/expected/<case>.json               what a correct matcher reports for each case (the Go
                                          standard library named by go.mod's go/toolchain line
                                          is left out, as osv-scanner 2 does by default: that
                                          line is a minimum, not the toolchain that builds)
OUTDIR/corpus.json                        counts

Every package has a deterministic version history, sorted in its ecosystem's order
(npm/crates/Go semver with prereleases and Go pseudo-versions, PEP 440 dev/pre/post
releases, Composer alpha/beta/RC and dev branches, RubyGems prereleases and 4-part
versions). Vulnerable ranges are cut out of those histories by index, so the expected
result of every (package, version, record) pair is known without a version comparator;
many ranges are cut on purpose at a version a lockfile uses (introduced = used version,
fixed = used version, last_affected = used version, prerelease boundaries).
"""
import argparse, base64, json, os, random, re, shutil, zipfile, zlib
from datetime import datetime, timedelta, timezone

ECOSYSTEMS = ["npm", "Packagist", "Go", "crates.io", "PyPI", "RubyGems"]

# ---------------------------------------------------------------- package names
NPM_REAL = """react react-dom lodash express axios moment chalk debug ms semver minimist yargs commander uuid qs
body-parser cookie send serve-static path-to-regexp ws glob minimatch brace-expansion braces micromatch picomatch
fill-range to-regex-range is-number tar node-fetch follow-redirects json5 loader-utils webpack webpack-dev-server
webpack-dev-middleware babel-loader @babel/core @babel/traverse @babel/parser @babel/generator @babel/types
@babel/helpers @babel/runtime @babel/preset-env @babel/template @babel/code-frame @babel/highlight typescript eslint
prettier jest mocha chai sinon ansi-regex strip-ansi string-width wrap-ansi cliui y18n yargs-parser decamelize
camelcase postcss autoprefixer tailwindcss nanoid mime mime-types mime-db negotiator accepts content-type
cookie-signature etag fresh range-parser statuses http-errors depd inherits setprototypeof toidentifier bytes
iconv-lite safer-buffer on-finished ee-first destroy encodeurl escape-html finalhandler parseurl merge-descriptors
methods utils-merge vary proxy-addr forwarded ipaddr.js type-is media-typer content-disposition safe-buffer
array-flatten jsonwebtoken jws jwa underscore handlebars marked dompurify sanitize-html xml2js sax @xmldom/xmldom
shell-quote ejs pug mustache vm2 trim-newlines normalize-url got cacheable-request http-cache-semantics tough-cookie
request form-data async bluebird socket.io socket.io-parser engine.io ua-parser-js node-forge jsonpath-plus ajv
json-schema jquery bootstrap moment-timezone dayjs date-fns luxon immer redux next vite esbuild rollup terser
browserslist caniuse-lite electron-to-chromium postcss-value-parser nth-check css-what css-select domhandler
htmlparser2 entities word-wrap optionator levn fast-levenshtein deep-is prelude-ls type-check flat cross-spawn which
isexe path-key shebang-command execa get-stream signal-exit npm-run-path human-signals onetime mimic-fn
strip-final-newline ip netmask pac-resolver degenerator undici tar-fs tar-stream decompress adm-zip minipass mkdirp
rimraf graceful-fs fs-extra jsonfile universalify chokidar anymatch readdirp binary-extensions fsevents nodemon
simple-update-notifier pm2 validator express-validator multer busboy dicer passport passport-jwt mongoose mongodb
bson sequelize pg mysql2 knex sqlite3 redis ioredis kind-of set-value union-value merge deep-extend mixin-deep
lodash.merge lodash.template lodash.set @hapi/hoek dot-prop ini hosted-git-info ssri cacache npm-registry-fetch
make-fetch-happen color-convert color-name ansi-styles supports-color has-flag escape-string-regexp js-yaml argparse
esprima @types/node @types/react @types/express serialize-javascript terser-webpack-plugin css-loader style-loader
sass sass-loader less vue vue-template-compiler @vue/compiler-sfc svelte angular @angular/core @angular/common
highlight.js prismjs markdown-it showdown katex mathjs decode-uri-component query-string url-parse
querystringify requires-port http-proxy http-proxy-middleware sockjs selfsigned node-forge eventsource
@sentry/node @sentry/browser dotenv cors helmet morgan compression cookie-parser express-session connect-redis
csurf svg-sprite-loader react-router react-router-dom @remix-run/router history prop-types scheduler loose-envify
js-tokens object-assign regenerator-runtime core-js tslib rxjs zone.js @angular/compiler""".split()

NPM_SCOPES = ["@babel", "@types", "@jest", "@smithy", "@aws-sdk", "@radix-ui", "@typescript-eslint", "@rollup",
              "@esbuild", "@emotion", "@mui", "@floating-ui", "@octokit", "@sentry", "@opentelemetry", "@nestjs",
              "@vue", "@tanstack", "@testing-library", "@storybook", "@swc", "@csstools", "@eslint", "@humanwhocodes"]
NPM_PRE = ["is", "has", "get", "to", "es", "node", "fast", "micro", "tiny", "pretty", "deep", "safe", "json", "stream",
           "path", "string", "array", "object", "promise", "async", "event", "http", "url", "css", "postcss",
           "babel-plugin", "eslint-plugin", "eslint-config", "webpack", "rollup-plugin", "vite-plugin", "react",
           "vue", "svelte", "gulp", "grunt", "karma", "jest", "mdast", "unist", "hast", "remark", "rehype"]
NPM_WORD = ["parse", "format", "merge", "clone", "equal", "flatten", "debounce", "throttle", "queue", "pool",
            "cache", "emitter", "utils", "helpers", "loader", "resolver", "walker", "glob", "watch", "colors",
            "table", "spinner", "prompt", "logger", "config", "env", "schema", "validator", "escape", "encode",
            "decode", "hash", "crypto", "buffer", "proxy", "retry", "timeout", "limit", "map", "set", "tree",
            "graph", "diff", "patch", "visit", "select", "plugin", "preset", "runtime", "compat", "polyfill",
            "transform", "matcher", "reporter", "snapshot", "mock", "fixtures", "types", "core", "shared"]

COMPOSER_REAL = """symfony/http-kernel symfony/http-foundation symfony/console symfony/routing symfony/yaml symfony/process
symfony/finder symfony/event-dispatcher symfony/dependency-injection symfony/security-http symfony/security-core
symfony/security-bundle symfony/twig-bridge symfony/twig-bundle symfony/framework-bundle symfony/cache symfony/mailer
symfony/mime symfony/serializer symfony/validator symfony/form symfony/translation symfony/intl symfony/string
symfony/polyfill-mbstring symfony/polyfill-php80 symfony/polyfill-ctype symfony/polyfill-intl-idn
symfony/polyfill-intl-normalizer symfony/polyfill-php81 symfony/polyfill-intl-grapheme symfony/var-dumper
symfony/error-handler symfony/debug-bundle symfony/web-profiler-bundle symfony/dotenv symfony/runtime
symfony/options-resolver symfony/property-access symfony/property-info symfony/uid symfony/messenger
symfony/http-client symfony/http-client-contracts symfony/service-contracts symfony/deprecation-contracts
symfony/cache-contracts symfony/translation-contracts symfony/event-dispatcher-contracts symfony/config
symfony/filesystem symfony/stopwatch symfony/lock symfony/notifier symfony/asset symfony/expression-language
symfony/css-selector symfony/dom-crawler symfony/browser-kit symfony/phpunit-bridge symfony/maker-bundle
symfony/monolog-bundle symfony/monolog-bridge symfony/doctrine-bridge symfony/var-exporter symfony/password-hasher
symfony/rate-limiter symfony/security-csrf symfony/web-link symfony/workflow symfony/ldap symfony/psr-http-message-bridge
laravel/framework laravel/sanctum laravel/passport laravel/tinker laravel/serializable-closure laravel/prompts
laravel/socialite laravel/horizon laravel/telescope laravel/ui illuminate/support illuminate/database
illuminate/contracts illuminate/collections illuminate/http illuminate/view illuminate/cookie
guzzlehttp/guzzle guzzlehttp/psr7 guzzlehttp/promises guzzlehttp/uri-template monolog/monolog doctrine/orm
doctrine/dbal doctrine/common doctrine/persistence doctrine/annotations doctrine/collections doctrine/inflector
doctrine/lexer doctrine/migrations doctrine/doctrine-bundle doctrine/doctrine-migrations-bundle doctrine/event-manager
doctrine/instantiator doctrine/cache doctrine/deprecations twig/twig twig/extra-bundle phpunit/phpunit
phpunit/php-code-coverage phpunit/php-file-iterator phpunit/php-timer phpunit/php-text-template sebastian/diff
sebastian/comparator sebastian/exporter sebastian/environment sebastian/global-state sebastian/recursion-context
sebastian/type sebastian/version sebastian/object-enumerator nikic/php-parser psr/log psr/container
psr/http-message psr/cache psr/event-dispatcher psr/http-client psr/http-factory psr/simple-cache psr/clock
league/flysystem league/commonmark league/oauth2-server league/oauth2-client league/mime-type-detection
league/config league/uri league/csv phpseclib/phpseclib firebase/php-jwt lcobucci/jwt ramsey/uuid ramsey/collection
nesbot/carbon vlucas/phpdotenv phpmailer/phpmailer swiftmailer/swiftmailer dompdf/dompdf tecnickcom/tcpdf mpdf/mpdf
phpoffice/phpspreadsheet intervention/image predis/predis aws/aws-sdk-php google/apiclient stripe/stripe-php
paragonie/random_compat paragonie/sodium_compat paragonie/constant_time_encoding egulias/email-validator
composer/composer composer/semver composer/ca-bundle composer/pcre friendsofphp/php-cs-fixer phpstan/phpstan
squizlabs/php_codesniffer mockery/mockery fakerphp/faker filp/whoops facade/ignition spatie/laravel-ignition
livewire/livewire yiisoft/yii2 cakephp/cakephp drupal/core webonyx/graphql-php api-platform/core
simplesamlphp/simplesamlphp onelogin/php-saml robrichards/xmlseclibs dragonmantank/cron-expression
brick/math voku/portable-ascii webmozart/assert myclabs/deep-copy phar-io/manifest phar-io/version
theseer/tokenizer masterminds/html5 ezyang/htmlpurifier erusev/parsedown michelf/php-markdown
league/html-to-markdown pusher/pusher-php-server tightenco/ziggy inertiajs/inertia-laravel
barryvdh/laravel-debugbar barryvdh/laravel-dompdf maatwebsite/excel spatie/laravel-permission
spatie/laravel-backup spatie/image-optimizer knplabs/knp-snappy knplabs/knp-menu sentry/sentry
sentry/sentry-laravel bugsnag/bugsnag getsentry/sentry-php jms/serializer willdurand/negotiation
nelmio/cors-bundle nelmio/api-doc-bundle lexik/jwt-authentication-bundle friendsofsymfony/rest-bundle
sonata-project/admin-bundle easycorp/easyadmin-bundle pimcore/pimcore shopware/core sylius/sylius
typo3/cms-core silverstripe/framework craftcms/cms bolt/core contao/core-bundle matomo/matomo
phpmyadmin/phpmyadmin roundcube/roundcubemail wikimedia/less.php oyejorge/less.php scssphp/scssphp
tinymce/tinymce ckeditor/ckeditor studio-42/elfinder""".split()
COMPOSER_VENDORS = ["spatie", "symfony", "laminas", "league", "sebastian", "doctrine", "illuminate", "sonata-project",
                    "friendsofsymfony", "knplabs", "php-http", "phpdocumentor", "yiisoft", "cakephp", "zendframework"]
PHP_WORD = ["http", "cache", "queue", "mail", "log", "event", "auth", "acl", "config", "validator", "serializer",
            "form", "router", "view", "session", "cookie", "crypt", "hash", "uuid", "json", "xml", "csv", "pdf",
            "image", "storage", "filesystem", "console", "debug", "test", "mock", "client", "server", "message",
            "stream", "uri", "promise", "translation", "i18n", "markdown", "html", "sitemap", "sluggable", "tree"]

PYPI_REAL = """requests urllib3 certifi idna charset-normalizer Django flask Werkzeug Jinja2 MarkupSafe itsdangerous click
PyYAML numpy pandas scipy Pillow cryptography cffi pycparser paramiko PyNaCl bcrypt SQLAlchemy psycopg2-binary aiohttp
yarl multidict frozenlist aiosignal async-timeout attrs fastapi starlette pydantic pydantic_core uvicorn h11 httpx
httpcore anyio sniffio gunicorn celery kombu billiard vine redis boto3 botocore s3transfer jmespath python-dateutil six
pytz tzdata setuptools wheel pip lxml beautifulsoup4 soupsieve html5lib tornado Twisted Scrapy PyJWT python-jose ecdsa
rsa pyasn1 oauthlib requests-oauthlib protobuf grpcio tensorflow torch transformers tokenizers huggingface-hub
safetensors mlflow jupyter_server notebook nbconvert ipython Pygments Babel Markdown mistune bleach feedparser ujson
orjson msgpack pyOpenSSL future docutils Sphinx black pytest coverage tox virtualenv filelock platformdirs distlib
GitPython ansible ansible-core salt pyarrow dask distributed streamlit gradio langchain llama-index sentry-sdk waitress
zope.interface pysaml2 python-multipart jupyterlab Flask-Cors Flask-Login Flask-WTF WTForms django-rest-framework
djangorestframework django-cors-headers channels daphne asgiref sqlparse psycopg2 pymongo motor elasticsearch
opensearch-py kubernetes docker paramiko-expect fabric invoke scikit-learn joblib threadpoolctl matplotlib
contourpy kiwisolver fonttools pyparsing packaging Mako alembic marshmallow apispec connexion openapi-spec-validator
jsonschema referencing rpds-py jsonpickle dill cloudpickle pycryptodome pycryptodomex M2Crypto python-ldap
ldap3 xmltodict defusedxml PyPDF2 pypdf reportlab weasyprint cairosvg nltk gensim spacy""".split()
PY_WORD = ["async", "fast", "py", "flask", "django", "aio", "json", "yaml", "http", "rest", "api", "auth", "cache",
           "queue", "task", "worker", "schema", "model", "orm", "sql", "mongo", "redis", "kafka", "grpc", "proto",
           "cli", "log", "trace", "metrics", "config", "env", "test", "mock", "lint", "format", "doc", "parse"]

GO_REAL = """golang.org/x/net golang.org/x/crypto golang.org/x/text golang.org/x/sys golang.org/x/image golang.org/x/oauth2
golang.org/x/sync golang.org/x/mod golang.org/x/tools golang.org/x/term golang.org/x/time google.golang.org/grpc
google.golang.org/protobuf github.com/gin-gonic/gin github.com/labstack/echo/v4 github.com/gorilla/websocket
github.com/gorilla/mux github.com/gorilla/sessions github.com/gorilla/csrf github.com/golang-jwt/jwt/v4
github.com/golang-jwt/jwt/v5 github.com/dgrijalva/jwt-go github.com/docker/docker github.com/docker/distribution
github.com/opencontainers/runc github.com/containerd/containerd github.com/hashicorp/go-getter
github.com/hashicorp/consul/api github.com/hashicorp/vault/api k8s.io/client-go k8s.io/apimachinery k8s.io/api
helm.sh/helm/v3 github.com/prometheus/client_golang github.com/sirupsen/logrus go.uber.org/zap github.com/spf13/cobra
github.com/spf13/viper gopkg.in/yaml.v2 gopkg.in/yaml.v3 github.com/tidwall/gjson github.com/valyala/fasthttp
github.com/gofiber/fiber/v2 github.com/go-git/go-git/v5 github.com/aws/aws-sdk-go github.com/nats-io/nats-server/v2
github.com/jackc/pgx/v4 github.com/jackc/pgproto3/v2 github.com/go-sql-driver/mysql github.com/mattn/go-sqlite3
github.com/russross/blackfriday/v2 github.com/microcosm-cc/bluemonday github.com/ulikunitz/xz
github.com/klauspost/compress github.com/pkg/errors github.com/stretchr/testify github.com/emicklei/go-restful/v3
github.com/cloudflare/circl github.com/go-jose/go-jose/v3 gopkg.in/square/go-jose.v2 github.com/satori/go.uuid
github.com/google/uuid github.com/miekg/dns github.com/quic-go/quic-go go.opentelemetry.io/otel
go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp github.com/traefik/traefik/v2
github.com/caddyserver/caddy/v2 github.com/minio/minio github.com/hashicorp/go-retryablehttp
github.com/Masterminds/sprig/v3 github.com/mholt/archiver/v3 github.com/cyphar/filepath-securejoin
github.com/moby/buildkit github.com/bytedance/sonic github.com/go-playground/validator/v10 github.com/ugorji/go/codec
github.com/json-iterator/go github.com/mitchellh/mapstructure github.com/pelletier/go-toml/v2 github.com/fsnotify/fsnotify
github.com/rs/zerolog github.com/rs/cors github.com/redis/go-redis/v9 go.mongodb.org/mongo-driver
github.com/elastic/go-elasticsearch/v8 github.com/nats-io/nats.go github.com/segmentio/kafka-go
github.com/IBM/sarama github.com/hashicorp/yamux github.com/coreos/go-oidc/v3 github.com/ory/fosite
github.com/argoproj/argo-cd/v2 github.com/grafana/grafana github.com/prometheus/prometheus github.com/BurntSushi/toml
github.com/Shopify/sarama github.com/ProtonMail/go-crypto github.com/Azure/go-autorest/autorest""".split()
GO_ORGS = ["github.com/acme", "github.com/cloudbase", "github.com/hashicorp", "github.com/uber-go", "github.com/grafana",
           "gitlab.com/gitlab-org", "github.com/cockroachdb", "github.com/pingcap", "github.com/vmware", "github.com/shopify"]

CRATES_REAL = """serde serde_json serde_derive tokio tokio-util tokio-macros hyper h2 http http-body reqwest rustls
rustls-webpki webpki ring openssl openssl-sys time chrono regex regex-syntax regex-automata smallvec crossbeam-channel
crossbeam-utils crossbeam-deque crossbeam-epoch rand rand_core rand_chacha getrandom libc log env_logger clap clap_derive
anyhow thiserror bytes futures futures-util futures-core futures-channel mio tracing tracing-subscriber tracing-core
axum axum-core actix-web actix-http tower tower-http url idna percent-encoding base64 hex sha2 sha1 md5 aes-gcm
ed25519-dalek curve25519-dalek x25519-dalek rsa sqlx diesel rusqlite libsqlite3-sys tungstenite tokio-tungstenite
shlex nix tempfile remove_dir_all lock_api parking_lot once_cell lazy_static memchr aho-corasick bumpalo arrayvec
bitvec hashbrown indexmap owning_ref generic-array zerocopy git2 libgit2-sys flate2 tar zip image png gif tiff
socket2 trust-dns-resolver trust-dns-proto hickory-proto quinn-proto prost tonic wasmtime cranelift-codegen
ansi_term atty yaml-rust serde_yaml toml toml_edit syn quote proc-macro2 unicode-ident cc pkg-config autocfg
bitflags cfg-if itoa ryu num-traits num-bigint semver version_check either itertools rayon rayon-core
crossbeam-queue dashmap slab pin-project pin-project-lite async-trait async-std async-h2 cookie cookie_store
mime mime_guess encoding_rs ammonia comrak pulldown-cmark tera handlebars askama jsonwebtoken oauth2 openidconnect
russh thrussh ssh2 libssh2-sys zstd brotli lz4_flex snap protobuf capnp borsh bincode rmp-serde ciborium""".split()
RS_WORD = ["async", "fast", "tiny", "simple", "core", "utils", "derive", "macros", "sys", "codec", "proto", "net",
           "io", "fs", "sync", "stream", "buf", "parse", "serde", "json", "http", "tls", "crypto", "hash", "log"]

GEMS_REAL = """rails actionpack actionview activesupport activerecord activemodel activestorage actionmailer actioncable
activejob actiontext actionmailbox railties rack rack-test puma nokogiri loofah rails-html-sanitizer mini_portile2 racc
sprockets sprockets-rails devise warden bcrypt jwt omniauth omniauth-oauth2 oauth2 faraday faraday-net_http httparty
rest-client multi_xml mail net-imap net-smtp net-pop net-protocol date timeout i18n tzinfo concurrent-ruby zeitwerk
thor rake json addressable public_suffix websocket-driver websocket-extensions nio4r sidekiq redis redis-client
connection_pool pg mysql2 sqlite3 kaminari will_paginate carrierwave paperclip image_processing mini_magick
ruby-vips rubyzip sanitize crass redcarpet kramdown commonmarker rexml psych webrick rdoc reline irb erb cgi uri
net-http openssl strong_migrations grape sinatra mustermann rack-protection tilt haml slim erubi builder globalid
marcel mini_mime rack-cors rack-attack bootsnap msgpack ffi excon aws-sdk-core aws-sigv4 jmespath activeadmin ransack
administrate paper_trail pundit cancancan doorkeeper geocoder httpclient savon wasabi gyoku ox oj yajl-ruby nori
sassc sass autoprefixer-rails uglifier execjs grpc google-protobuf rack-session rackup rails-dom-testing
actionview-encoded_mail_to premailer premailer-rails css_parser htmlentities chartkick groupdate ahoy_matey
rqrcode chunky_png prawn""".split()
RB_WORD = ["rails", "rack", "active", "ruby", "omniauth", "devise", "sidekiq", "grape", "rspec", "capybara",
           "factory", "shoulda", "pundit", "api", "json", "xml", "cache", "mailer", "queue", "auth", "admin"]

PLATFORM_GEMS = {"nokogiri", "ffi", "grpc", "google-protobuf", "sqlite3"}
V_PREFIX_VENDORS = {"symfony", "laravel", "illuminate", "league", "twig", "nesbot", "livewire", "spatie",
                    "sylius", "shopware", "pimcore", "api-platform", "lexik", "nelmio", "easycorp"}

# ------------------------------------------------------------------- utilities
def crc(*parts):
    return zlib.crc32("/".join(str(p) for p in parts).encode())


def pypi_norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def db_name(eco, name):
    """The package name as an OSV record spells it."""
    return pypi_norm(name) if eco == "PyPI" else name


def db_version(eco, v):
    """The version as an OSV record spells it (Go and Packagist records carry no 'v')."""
    if eco in ("Go", "Packagist") and v[:1] == "v" and v[1:2].isdigit():
        return v[1:]
    return v


def sha_hex(r, n=64):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def b64(r, n):
    return base64.b64encode(bytes(r.getrandbits(8) for _ in range(n))).decode()


def ts(r, lo=datetime(2018, 1, 1, tzinfo=timezone.utc), days=2700):
    return lo + timedelta(seconds=r.randint(0, days * 86400))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- version histories
def semver_hist(r, start, majors, labels, pre_prob, max_minor=7):
    out = []
    for major in range(start, start + majors):
        for minor in range(r.randint(1, max_minor)):
            if minor == 0 and major > 0 and r.random() < pre_prob:
                for lab in labels:
                    k = r.choice([1, 2, 3, 11]) if lab == "rc" else r.randint(1, 3)
                    out += [f"{major}.0.0-{lab}.{i}" for i in range(1, k + 1)]
            out += [f"{major}.{minor}.{p}" for p in range(r.randint(0, 6) + 1)]
    return out


def go_pseudo(r, base, when):
    """vX.0.0-yyyymmddhhmmss-hash before any tag; vX.Y.(Z+1)-0.yyyymmddhhmmss-hash after vX.Y.Z."""
    sep = "." if base.endswith("-0") else "-"
    return f"{base}{sep}{when.strftime('%Y%m%d%H%M%S')}-{sha_hex(r, 12)}"


def go_hist(r, name):
    when = datetime(2019, 1, 1) + timedelta(days=r.randint(0, 300))
    m = re.search(r"/v(\d+)$", name) or re.search(r"^gopkg\.in/.*\.v(\d+)$", name)
    if name == "github.com/docker/docker":
        out = []
        for major in range(20, 27):
            for minor in range(r.randint(1, 3)):
                out += [f"v{major}.{minor}.{p}+incompatible" for p in range(r.randint(1, 9))]
        return out
    if name.startswith("golang.org/x/"):
        out = []
        for _ in range(r.randint(3, 6)):
            when += timedelta(days=r.randint(20, 120), seconds=r.randint(0, 86400))
            out.append(go_pseudo(r, "v0.0.0", when))
        for minor in range(1, r.randint(8, 26)):
            out.append(f"v0.{minor}.0")
            if r.random() < 0.2:
                when += timedelta(days=r.randint(5, 40), seconds=r.randint(0, 86400))
                out.append(go_pseudo(r, f"v0.{minor}.1-0", when))
                out.append(f"v0.{minor}.1")
        return out
    start = int(m.group(1)) if m else r.choice([0, 1, 1, 1])
    out = []
    if r.random() < 0.25:
        for _ in range(r.randint(1, 3)):
            when += timedelta(days=r.randint(20, 120), seconds=r.randint(0, 86400))
            out.append(go_pseudo(r, "v0.0.0" if start < 2 else f"v{start}.0.0", when))
    for v in semver_hist(r, start, 1 if (m or start) else 2, ["rc"], 0.3, 12):
        out.append("v" + v)
        if r.random() < 0.04 and "-" not in v:
            a, b, c = v.split(".")
            when += timedelta(days=r.randint(5, 40), seconds=r.randint(0, 86400))
            out.append(go_pseudo(r, f"v{a}.{b}.{int(c) + 1}-0", when))
    return out


STDLIB = ([f"1.20.{p}" for p in range(15)] + [f"1.21.{p}" for p in range(14)] +
          [f"1.22.{p}" for p in range(13)] + [f"1.23.{p}" for p in range(9)])


def pypi_hist(r):
    out = []
    start = r.choice([0, 0, 1, 1, 2, 3, 4, 5, 20, 22])
    for major in range(start, start + r.randint(1, 3)):
        for minor in range(r.randint(1, 6)):
            patches = list(range(r.randint(0, 4) + 1)) if r.random() < 0.75 else [None]
            for p in patches:
                rel = f"{major}.{minor}" + (f".{p}" if p is not None else "")
                if p in (0, None) and (major, minor) != (start, 0) and r.random() < 0.3:
                    if r.random() < 0.4:
                        out += [f"{rel}.dev{k}" for k in range(1, r.randint(1, 3) + 1)]
                    out += [f"{rel}a{k}" for k in range(1, r.randint(1, 2) + 1)]
                    out += [f"{rel}b1"]
                    out += [f"{rel}rc{k}" for k in range(1, r.randint(1, 3) + 1)]
                out.append(rel)
                if r.random() < 0.1:
                    out += [f"{rel}.post{k}" for k in range(1, r.randint(1, 2) + 1)]
    return out


def composer_hist(r, name):
    vp = "v" if name.split("/")[0] in V_PREFIX_VENDORS else ""
    out = []
    start = r.choice([0, 1, 1, 2, 2, 3, 4, 5, 6])
    for major in range(start, start + r.randint(1, 3)):
        for minor in range(r.randint(1, 6)):
            if minor == 0 and major > 0 and r.random() < 0.25:
                out += [f"{vp}{major}.0.0-alpha{k}" for k in range(1, r.randint(1, 2) + 1)]
                out += [f"{vp}{major}.0.0-beta{k}" for k in range(1, r.randint(1, 3) + 1)]
                out += [f"{vp}{major}.0.0-RC{k}" for k in range(1, r.randint(1, 2) + 1)]
            out += [f"{vp}{major}.{minor}.{p}" for p in range(r.randint(0, 12) + 1)]
    return out


def gem_hist(r):
    out = []
    start = r.choice([0, 1, 1, 2, 3, 5, 6, 7])
    for major in range(start, start + r.randint(1, 3)):
        for minor in range(r.randint(1, 5)):
            for p in range(r.randint(0, 6) + 1):
                rel = f"{major}.{minor}.{p}"
                if p == 0 and minor == 0 and major > start and r.random() < 0.35:
                    out += [f"{rel}.beta{k}" for k in range(1, r.randint(1, 3) + 1)]
                    out += [f"{rel}.rc{k}" for k in range(1, r.randint(1, 2) + 1)]
                out.append(rel)
                if r.random() < 0.12:
                    out += [f"{rel}.{k}" for k in range(1, r.randint(1, 3) + 1)]
    return out


class Universe:
    """Version histories, deterministic per (seed, ecosystem, name)."""

    def __init__(self, seed):
        self.seed = seed
        self.cache = {}

    def versions(self, eco, name):
        key = (eco, name)
        if key not in self.cache:
            r = random.Random(crc(self.seed, eco, name))
            if eco == "npm":
                v = semver_hist(r, r.choice([0, 1, 1, 2, 3, 4, 5, 7]), r.randint(1, 4), ["beta", "rc"], 0.25)
            elif eco == "crates.io":
                start = r.choice([0, 0, 0, 1])
                v = semver_hist(r, start, r.randint(1, 2), ["alpha", "rc"], 0.3, 12 if start == 0 else 6)
            elif eco == "Go":
                v = STDLIB if name == "stdlib" else go_hist(r, name)
            elif eco == "PyPI":
                v = pypi_hist(r)
            elif eco == "Packagist":
                v = composer_hist(r, name)
            else:
                v = gem_hist(r)
            self.cache[key] = v
        return self.cache[key]


def pick_version(r, vs):
    """Lockfiles favour recent releases, with a few prereleases."""
    pre = [v for v in vs if re.search(r"[a-z]", v.lstrip("v").split("+")[0].replace("incompatible", ""))
           and not re.match(r"^v?0\.0\.0-\d{14}", v)]
    if pre and r.random() < 0.06:
        return r.choice(pre)
    n = len(vs)
    k = int(r.expovariate(1.0) * max(1.0, n / 3.5))
    return vs[max(0, n - 1 - k)]


# ------------------------------------------------------------------ corpus model
class Instance:
    __slots__ = ("eco", "name", "version", "lockfile", "dev")

    def __init__(self, eco, name, version, lockfile, dev=False):
        self.eco, self.name, self.version, self.lockfile, self.dev = eco, name, version, lockfile, dev


class Corpus:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.u = Universe(seed)
        self.instances = {}  # case -> [Instance]
        self.files = {}  # case -> {relpath: text}

    # synthetic but plausible names, to pad lists beyond the real ones
    def synth(self, eco, r):
        while True:
            if eco == "npm":
                if r.random() < 0.35:
                    n = f"{r.choice(NPM_SCOPES)}/{r.choice(NPM_WORD)}" + (f"-{r.choice(NPM_WORD)}" if r.random() < 0.6 else "")
                else:
                    n = f"{r.choice(NPM_PRE)}-{r.choice(NPM_WORD)}" + (f"-{r.choice(NPM_WORD)}" if r.random() < 0.3 else "")
            elif eco == "Packagist":
                n = f"{r.choice(COMPOSER_VENDORS)}/{r.choice(PHP_WORD)}" + (f"-{r.choice(PHP_WORD)}" if r.random() < 0.5 else "")
            elif eco == "PyPI":
                n = f"{r.choice(PY_WORD)}-{r.choice(PY_WORD)}" + (f"-{r.choice(PY_WORD)}" if r.random() < 0.3 else "")
            elif eco == "Go":
                n = f"{r.choice(GO_ORGS)}/{r.choice(RS_WORD)}-{r.choice(RS_WORD)}"
            elif eco == "crates.io":
                n = f"{r.choice(RS_WORD)}-{r.choice(RS_WORD)}" if r.random() < 0.7 else f"{r.choice(RS_WORD)}_{r.choice(RS_WORD)}"
            else:
                n = f"{r.choice(RB_WORD)}-{r.choice(RB_WORD)}" if r.random() < 0.7 else f"{r.choice(RB_WORD)}_{r.choice(RB_WORD)}"
            parts = n.replace("@", "").replace("/", "-").replace("_", "-").split("-")
            if len(parts) != len(set(parts)):
                continue
            return n

    def names(self, eco, real, count, r, synth_share=0.0):
        """count distinct names: real ones first (shuffled), then synthetic."""
        pool = list(dict.fromkeys(real))
        r.shuffle(pool)
        n_real = min(len(pool), int(round(count * (1 - synth_share))))
        out = pool[:n_real]
        seen = set(out)
        while len(out) < count:
            n = self.synth(eco, r)
            if n not in seen and n not in real:
                seen.add(n)
                out.append(n)
        return out

    def add(self, case, eco, name, version, lockfile, dev=False):
        self.instances.setdefault(case, []).append(Instance(eco, name, version, lockfile, dev))

    def write(self, case, rel, text):
        self.files.setdefault(case, {})[rel] = text


# ------------------------------------------------------------------ npm family
def npm_tarball(name, v):
    base = name.split("/")[-1]
    return f"https://registry.npmjs.org/{name}/-/{base}-{v}.tgz"


def npm_tree(c, r, n_entries, names_pool):
    """Entries of a node_modules tree: path -> dict. ~15% nested duplicates."""
    n_nested = int(n_entries * 0.15)
    hoisted = names_pool[: n_entries - n_nested]
    entries = {}
    for n in hoisted:
        entries[f"node_modules/{n}"] = {"name": n, "version": pick_version(r, c.u.versions("npm", n))}
    nested_paths = []
    tries = 0
    while len(entries) < n_entries and tries < n_entries * 20:
        tries += 1
        child = r.choice(hoisted)
        if nested_paths and r.random() < 0.15:
            parent_path = r.choice(nested_paths)
        else:
            parent_path = f"node_modules/{r.choice(hoisted)}"
        if parent_path.endswith("/" + child) or f"/{child}/" in parent_path:
            continue
        p = f"{parent_path}/node_modules/{child}"
        if p in entries:
            continue
        vs = c.u.versions("npm", child)
        top = entries[f"node_modules/{child}"]["version"]
        older = [v for v in vs if v != top]
        if not older:
            continue
        entries[p] = {"name": child, "version": r.choice(older[: max(1, len(older) * 2 // 3)])}
        nested_paths.append(p)
    # dev flags: a share of hoisted roots are dev; nested entries follow their top parent
    for p, e in sorted(entries.items(), key=lambda kv: kv[0].count("node_modules")):
        if p.count("node_modules") == 1:
            x = r.random()
            e["dev"] = x < 0.35
            e["devOptional"] = 0.35 <= x < 0.37
            e["optional"] = e["name"] in ("fsevents",) or e["name"].startswith("@esbuild/") or 0.37 <= x < 0.39
        else:
            top = entries["node_modules/" + p.split("node_modules/")[1].rstrip("/")]
            e["dev"], e["devOptional"], e["optional"] = top["dev"], top["devOptional"], top["optional"]
    names = sorted({e["name"] for e in entries.values()})
    for p, e in entries.items():
        deps = {}
        for d in r.sample(names, min(len(names), r.choice([0, 0, 1, 2, 3, 4, 6]))):
            if d != e["name"]:
                dv = entries[f"node_modules/{d}"]["version"] if f"node_modules/{d}" in entries else "1.0.0"
                deps[d] = "^" + dv.split("-")[0]
        e["deps"] = dict(sorted(deps.items()))
        e["integrity"] = "sha512-" + b64(r, 64)
    return entries


def npm_root(r, entries, n_prod, n_dev):
    tops = [e for p, e in entries.items() if p.count("node_modules") == 1]
    prod = sorted([e for e in tops if not e["dev"]], key=lambda e: e["name"])
    dev = sorted([e for e in tops if e["dev"]], key=lambda e: e["name"])
    prod = r.sample(prod, min(n_prod, len(prod)))
    dev = r.sample(dev, min(n_dev, len(dev)))
    return ({e["name"]: "^" + e["version"].split("-")[0] for e in sorted(prod, key=lambda e: e["name"])},
            {e["name"]: "^" + e["version"].split("-")[0] for e in sorted(dev, key=lambda e: e["name"])})


def package_lock(r, app, entries, version):
    deps, dev_deps = npm_root(r, entries, 30, 20)
    root = {"name": app, "version": "1.0.0", "license": "UNLICENSED", "dependencies": deps}
    if dev_deps:
        root["devDependencies"] = dev_deps
    root["engines"] = {"node": ">=18"}
    pkgs = {"": root}
    for p in sorted(entries):
        e = entries[p]
        o = {"version": e["version"], "resolved": npm_tarball(e["name"], e["version"]), "integrity": e["integrity"]}
        if e["dev"]:
            o["dev"] = True
        if e["devOptional"]:
            o["devOptional"] = True
        if e["optional"]:
            o["optional"] = True
        if e["name"] == "fsevents":
            o["os"] = ["darwin"]
        if e["name"].startswith("@esbuild/"):
            o["cpu"] = ["x64"]
            o["os"] = ["linux"]
        if e["deps"]:
            o["dependencies"] = e["deps"]
        if r.random() < 0.3:
            o["license"] = r.choice(["MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause"])
        if r.random() < 0.15:
            o["engines"] = {"node": r.choice([">=0.10.0", ">= 0.6", ">=8", ">=12", "^14.17.0 || >=16.0.0"])}
        if r.random() < 0.05:
            o["bin"] = {e["name"].split("/")[-1]: "bin/cli.js"}
        if r.random() < 0.05:
            o["funding"] = {"url": "https://github.com/sponsors/" + e["name"].split("/")[-1].replace("@", "")}
        pkgs[p] = o
    doc = {"name": app, "version": "1.0.0", "lockfileVersion": version, "requires": True, "packages": pkgs}
    if version == 2:  # v2 keeps the v1 "dependencies" tree for old npm clients
        def legacy(prefix):
            out = {}
            for p in sorted(entries):
                if not p.startswith(prefix) or "node_modules/" in p[len(prefix):]:
                    continue
                e = entries[p]
                o = {"version": e["version"], "resolved": npm_tarball(e["name"], e["version"]), "integrity": e["integrity"]}
                if e["dev"]:
                    o["dev"] = True
                if e["optional"]:
                    o["optional"] = True
                if e["deps"]:
                    o["requires"] = e["deps"]
                sub = legacy(p + "/node_modules/")
                if sub:
                    o["dependencies"] = sub
                out[e["name"]] = o
            return out
        doc["dependencies"] = legacy("node_modules/")
    return json.dumps(doc, indent=2) + "\n"


def package_json(r, app, entries):
    deps, dev_deps = npm_root(r, entries, 25, 15)
    doc = {"name": app, "version": "1.0.0", "private": True,
           "scripts": {"build": "vite build", "test": "jest"}, "dependencies": deps, "devDependencies": dev_deps}
    return json.dumps(doc, indent=2) + "\n"


def yarn_key(s):
    if re.search(r"[:\s\n\\\",\[\]]", s) or not re.match(r"^[a-zA-Z]", s) or s.startswith(("true", "false")):
        return json.dumps(s)
    return s


def yarn_lock(r, entries):
    groups = {}
    for e in entries.values():
        groups.setdefault((e["name"], e["version"]), e)
    out = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", "", ""]
    items, taken = [], set()
    for (n, v), e in sorted(groups.items()):
        base = v.split("-")[0]
        maj, mnr = base.split(".")[:2]
        cands = [f"{n}@{v}"] if "-" in v else [f"{n}@^{base}", f"{n}@^{maj}.{mnr}.0", f"{n}@~{base}", f"{n}@{v}"]
        specs = [s for s in cands if s not in taken][:1]
        for s in cands[1:3]:
            if s not in taken and s not in specs and r.random() < 0.3:
                specs.append(s)
        if not specs:
            specs = [f"{n}@{v}"]
        if n == "string-width" and "string-width-cjs" not in taken:
            specs.append(f"string-width-cjs@npm:{n}@^{base}")
            taken.add("string-width-cjs")
        taken.update(specs)
        items.append((sorted(specs), n, v, e))
    items.sort(key=lambda it: it[0][0])
    for specs, n, v, e in items:
        out.append(", ".join(yarn_key(s) for s in specs) + ":")
        out.append(f'  version "{v}"')
        out.append(f'  resolved "{npm_tarball(n, v).replace("registry.npmjs.org", "registry.yarnpkg.com")}#{sha_hex(r, 40)}"')
        out.append(f"  integrity {e['integrity']}")
        if e["deps"]:
            out.append("  dependencies:")
            for d, spec in e["deps"].items():
                out.append(f"    {yarn_key(d)} {json.dumps(spec)}")
        out.append("")
    return "\n".join(out)


def pnpm_q(s):
    return f"'{s}'" if s.startswith("@") or ":" in s or s[:1].isdigit() else s


def pnpm_lock(r, app, entries):
    groups = {}
    for e in entries.values():
        groups.setdefault((e["name"], e["version"]), e)
    deps, dev_deps = npm_root(r, entries, 30, 20)
    tops = {e["name"]: e for p, e in entries.items() if p.count("node_modules") == 1}
    peer = "react" if "react" in tops else None
    out = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true", "  excludeLinksFromLockfile: false", "",
           "importers:", "", "  .:"]
    for title, dd in (("dependencies", deps), ("devDependencies", dev_deps)):
        if not dd:
            continue
        out.append(f"    {title}:")
        for n, spec in dd.items():
            v = tops[n]["version"]
            if peer and n == "react-dom":
                v = f"{v}(react@{tops['react']['version']})"
            out += [f"      {pnpm_q(n)}:", f"        specifier: {pnpm_q(spec)}", f"        version: {v}"]
    out += ["", "packages:", ""]
    keys = sorted(groups)
    for n, v in keys:
        e = groups[(n, v)]
        out.append(f"  {pnpm_q(n + '@' + v)}:")
        out.append(f"    resolution: {{integrity: {e['integrity']}}}")
        if r.random() < 0.2:
            out.append(f"    engines: {{node: '>=14'}}")
        if e["name"] == "react-dom" and peer:
            out.append("    peerDependencies:")
            out.append("      react: ^18.2.0")
        out.append("")
    out += ["snapshots:", ""]
    for n, v in keys:
        e = groups[(n, v)]
        key = n + "@" + v
        if e["name"] == "react-dom" and peer:
            key += f"(react@{tops['react']['version']})"
        dd = {d: (tops[d]["version"] if d in tops else "1.0.0") for d in e["deps"]}
        if not dd:
            out.append(f"  {pnpm_q(key)}: {{}}")
        else:
            out.append(f"  {pnpm_q(key)}:")
            out.append("    dependencies:")
            for d, dv in dd.items():
                out.append(f"      {pnpm_q(d)}: {dv}")
        out.append("")
    return "\n".join(out)


def record_npm(c, case, rel, entries):
    for e in entries.values():
        c.add(case, "npm", e["name"], e["version"], rel, e["dev"])


# ------------------------------------------------------------------ composer
def composer_lock(c, r, case, rel, names, n_dev):
    pkgs = []
    for i, n in enumerate(names):
        vs = c.u.versions("Packagist", n)
        dev = i >= len(names) - n_dev
        pkgs.append((n, pick_version(r, vs), dev))
    # a branch checkout and a branch alias: no vulnerability record names these packages
    branch = [("acme/internal-sdk", "dev-main", False), ("acme/legacy-bridge", "1.x-dev", True)]
    stab = {}
    docs = {"packages": [], "packages-dev": []}
    for n, v, dev in sorted(pkgs + branch, key=lambda t: t[0]):
        ref = sha_hex(r, 40)
        o = {"name": n, "version": v,
             "source": {"type": "git", "url": f"https://github.com/{n}.git", "reference": ref},
             "dist": {"type": "zip", "url": f"https://api.github.com/repos/{n}/zipball/{ref}", "reference": ref, "shasum": ""},
             "require": {"php": r.choice([">=7.2.5", ">=8.1", "^7.4 || ^8.0", ">=8.2"])},
             "type": r.choice(["library", "library", "library", "symfony-bundle", "composer-plugin"]) if "bundle" in n or r.random() < 0.05 else "library",
             "autoload": {"psr-4": {"\\".join(w.capitalize().replace("-", "") for w in n.split("/")) + "\\": "src/"}},
             "notification-url": "https://packagist.org/downloads/",
             "license": [r.choice(["MIT", "MIT", "BSD-3-Clause", "Apache-2.0", "LGPL-2.1-only"])],
             "description": f"The {n.split('/')[1].replace('-', ' ')} component",
             "time": iso(ts(r))}
        if v.startswith("dev-") or v.endswith("-dev"):
            o["default-branch"] = True
            stab[n] = 20
        elif re.search(r"(alpha|beta|RC)", v):
            stab[n] = {"alpha": 15, "beta": 10, "RC": 5}[re.search(r"(alpha|beta|RC)", v).group(1)]
        docs["packages-dev" if dev else "packages"].append(o)
        if (n, v) not in [(b[0], b[1]) for b in branch]:
            c.add(case, "Packagist", n, v, rel, dev)
    doc = {"_readme": ["This file locks the dependencies of your project to a known state",
                       "Read more about it at https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies",
                       "This file is @generated automatically"],
           "content-hash": sha_hex(r, 32), "packages": docs["packages"], "packages-dev": docs["packages-dev"],
           "aliases": [], "minimum-stability": "stable" if not stab else "dev", "stability-flags": dict(sorted(stab.items())) or [],
           "prefer-stable": True, "prefer-lowest": False, "platform": {"php": ">=8.1", "ext-json": "*"},
           "platform-dev": [], "plugin-api-version": "2.6.0"}
    c.write(case, rel, json.dumps(doc, indent=4) + "\n")
    req = {o["name"]: "^" + o["version"].lstrip("v").split("-")[0] for o in docs["packages"][:20]}
    req_dev = {o["name"]: "^" + o["version"].lstrip("v").split("-")[0] for o in docs["packages-dev"][:10]}
    return {"name": "acme/app", "type": "project", "require": dict({"php": ">=8.1"}, **req), "require-dev": req_dev}


# ------------------------------------------------------------------ Go
def go_mod(c, r, case, d, module, names, goversion, toolchain):
    direct = names[: max(3, len(names) // 3)]
    indirect = names[len(direct):]
    chosen = {n: pick_version(r, c.u.versions("Go", n)) for n in names}
    replaced = None
    if r.random() < 0.5:
        n = r.choice(direct)
        vs = c.u.versions("Go", n)
        newer = [v for v in vs[vs.index(chosen[n]) + 1:] if "-" not in v]
        if newer:
            replaced = (n, newer[0])
    lines = [f"module {module}", "", f"go {goversion}", ""]
    if toolchain:
        lines += [f"toolchain go{toolchain}", ""]
    lines.append("require (")
    lines += [f"\t{n} {chosen[n]}" for n in sorted(direct)]
    lines += [")", "", "require ("]
    lines += [f"\t{n} {chosen[n]} // indirect" for n in sorted(indirect)]
    lines.append(")")
    if replaced:
        lines += ["", f"replace {replaced[0]} => {replaced[0]} {replaced[1]}"]
    c.write(case, f"{d}/go.mod", "\n".join(lines) + "\n")
    sums = []
    for n in sorted(names):
        v = replaced[1] if replaced and replaced[0] == n else chosen[n]
        sums.append(f"{n} {v} h1:{b64(r, 32)}")
        sums.append(f"{n} {v}/go.mod h1:{b64(r, 32)}")
    c.write(case, f"{d}/go.sum", "\n".join(sums) + "\n")
    rel = f"{d}/go.mod"
    for n in names:
        v = replaced[1] if replaced and replaced[0] == n else chosen[n]
        c.add(case, "Go", n, v.lstrip("v") if v.startswith("v") else v, rel)
    c.add(case, "Go", "stdlib", toolchain or goversion, rel)


# ------------------------------------------------------------------ Rust
def cargo_lock(c, r, case, rel, crate, names, version):
    pk = []
    for n in names:
        vs = c.u.versions("crates.io", n)
        v = pick_version(r, vs)
        pk.append((n, v))
        if r.random() < 0.05 and len(vs) > 3:  # two semver-incompatible copies, as syn 1 / syn 2
            other = vs[len(vs) // 3]
            if other != v:
                pk.append((n, other))
    byname = {}
    for n, v in pk:
        byname.setdefault(n, []).append(v)
    out = ["# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.",
           f"version = {version}", ""]
    entries = sorted(pk + [(crate, "0.1.0")], key=lambda t: (t[0], t[1]))
    for n, v in entries:
        out += ["[[package]]", f'name = "{n}"', f'version = "{v}"']
        if n != crate:
            out.append('source = "registry+https://github.com/rust-lang/crates.io-index"')
            out.append(f'checksum = "{sha_hex(r)}"')
            c.add(case, "crates.io", n, v, rel)
        deps = r.sample(sorted(byname), min(len(byname), r.choice([0, 0, 1, 2, 3, 5]) if n != crate else 12))
        deps = [d if len(byname[d]) == 1 else f"{d} {byname[d][0]}" for d in deps if d != n]
        if deps:
            out.append("dependencies = [")
            out += [f' "{d}",' for d in sorted(deps)]
            out.append("]")
        out.append("")
    c.write(case, rel, "\n".join(out))


# ------------------------------------------------------------------ Python
def requirements_txt(c, r, case, rel, names, hashes):
    out = ["#", "# This file is autogenerated by pip-compile with Python 3.11", "# by the following command:", "#",
           "#    pip-compile --output-file=requirements.txt requirements.in", "#"]
    for n in sorted(names, key=str.lower):
        v = pick_version(r, c.u.versions("PyPI", n))
        spec = n
        if n.lower() == "requests" and r.random() < 0.7:
            spec = "requests[socks]"
        line = f"{spec}=={v}"
        if r.random() < 0.05:
            line += ' ; python_version < "3.12"'
        if hashes:
            out.append(line + " \\")
            out.append(f"    --hash=sha256:{sha_hex(r)} \\")
            out.append(f"    --hash=sha256:{sha_hex(r)}")
        else:
            out.append(line)
        out.append(f"    # via {r.choice(['-r requirements.in', r.choice(names)])}")
        c.add(case, "PyPI", n, v, rel)
    c.write(case, rel, "\n".join(out) + "\n")


def poetry_lock(c, r, case, rel, names):
    out = ["# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.", ""]
    n_dev = len(names) // 5
    for i, n in enumerate(sorted(names, key=str.lower)):
        v = pick_version(r, c.u.versions("PyPI", n))
        dev = i % 5 == 4 and n_dev > 0
        ln = pypi_norm(n)
        out += ["[[package]]", f'name = "{ln}"', f'version = "{v}"',
                f'description = "{ln.replace("-", " ").capitalize()} for Python"', "optional = false",
                f'python-versions = "{r.choice([">=3.7", ">=3.8", ">=3.8,<4.0", "*"])}"',
                "files = [",
                f'    {{file = "{ln.replace("-", "_")}-{v}-py3-none-any.whl", hash = "sha256:{sha_hex(r)}"}},',
                f'    {{file = "{ln.replace("-", "_")}-{v}.tar.gz", hash = "sha256:{sha_hex(r)}"}},', "]", ""]
        if r.random() < 0.4:
            out += ["[package.dependencies]"]
            for d in sorted(set(r.sample(names, min(3, len(names)))) - {n}, key=str.lower):
                out.append(f'{pypi_norm(d)} = ">={r.randint(0, 5)}.{r.randint(0, 9)}"')
            out.append("")
        c.add(case, "PyPI", n, v, rel, dev)
    out += ["[metadata]", 'lock-version = "2.0"', 'python-versions = "^3.10"', f'content-hash = "{sha_hex(r)}"', ""]
    c.write(case, rel, "\n".join(out))


def pipfile_lock(c, r, case, rel, names):
    doc = {"_meta": {"hash": {"sha256": sha_hex(r)}, "pipfile-spec": 6, "requires": {"python_version": "3.11"},
                     "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]},
           "default": {}, "develop": {}}
    for i, n in enumerate(sorted(names, key=str.lower)):
        v = pick_version(r, c.u.versions("PyPI", n))
        sect = "develop" if i % 4 == 3 else "default"
        o = {"hashes": [f"sha256:{sha_hex(r)}", f"sha256:{sha_hex(r)}"], "index": "pypi", "version": f"=={v}"}
        if r.random() < 0.3:
            o["markers"] = "python_version >= '3.7'"
        doc[sect][pypi_norm(n)] = o
        c.add(case, "PyPI", n, v, rel, sect == "develop")
    c.write(case, rel, json.dumps(doc, indent=4) + "\n")


# ------------------------------------------------------------------ Ruby
def gemfile_lock(c, r, case, rel, names):
    specs = {}
    for n in names:
        specs[n] = pick_version(r, c.u.versions("RubyGems", n))
    out = ["GEM", "  remote: https://rubygems.org/", "  specs:"]
    for n in sorted(specs):
        v = specs[n]
        plats = ["arm64-darwin", "x86_64-linux"] if n in PLATFORM_GEMS else [None]
        for p in plats:
            out.append(f"    {n} ({v}{'-' + p if p else ''})")
            for d in sorted(set(r.sample(sorted(specs), min(len(specs), r.choice([0, 0, 1, 2, 3])))) - {n}):
                out.append(f"      {d} (>= {specs[d].split('.')[0]}.0)")
        c.add(case, "RubyGems", n, v, rel)
    direct = sorted(r.sample(sorted(specs), max(3, len(specs) // 6)))
    out += ["", "PLATFORMS", "  arm64-darwin", "  x86_64-linux", "", "DEPENDENCIES"]
    out += [f"  {n} (~> {'.'.join(specs[n].split('.')[:2])})" if r.random() < 0.6 else f"  {n}" for n in direct]
    out += ["", "RUBY VERSION", "   ruby 3.2.2p53", "", "BUNDLED WITH", "   2.4.19", ""]
    c.write(case, rel, "\n".join(out))


# ------------------------------------------------------------------ the cases
def build_corpus(c):
    r = c.r
    # 1. one npm lockfile, v3, 2,000 packages
    case = "npm-2000"
    pool = c.names("npm", NPM_REAL, 1700, r, synth_share=1 - len(NPM_REAL) / 1700)
    entries = npm_tree(c, r, 2000, pool)
    c.write(case, "package-lock.json", package_lock(r, "@acme/storefront", entries, 3))
    record_npm(c, case, "package-lock.json", entries)

    # 2. one big composer.lock, ~300 packages
    case = "composer-300"
    names = c.names("Packagist", COMPOSER_REAL, 298, r, synth_share=0.25)
    composer_lock(c, r, case, "composer.lock", names, 78)

    # 3. a monorepo of 50 lockfiles
    case = "monorepo-50"
    plan = ([("npm3", f"services/{s}") for s in ["gateway-ui", "checkout-web", "search-web", "partner-portal", "docs-site", "status-page"]] +
            [("npm2", f"legacy/{s}") for s in ["admin-v1", "reports", "mailer-templates", "widgets", "cms-theme"]] +
            [("yarn", f"apps/{s}") for s in ["web", "mobile-web", "marketing", "design-system"]] +
            [("pnpm", f"apps/{s}") for s in ["dashboard", "editor", "analytics"]] +
            [("composer", f"php/{s}") for s in ["shop", "blog", "crm", "billing-api", "intranet", "sso-bridge"]] +
            [("go", f"go/{s}") for s in ["billing", "auth", "ingest", "scheduler", "edge-proxy", "notifier"]] +
            [("cargo", f"rust/{s}") for s in ["indexer", "image-resizer", "ws-relay", "cli"]] +
            [("req", f"python/{s}") for s in ["etl", "ml-train", "scrapers", "ops-scripts", "reporting"]] +
            [("poetry", f"python/{s}") for s in ["api", "worker", "notebooks", "feature-store"]] +
            [("pipenv", f"python/{s}") for s in ["admin-tools", "airflow-dags", "slackbot"]] +
            [("gem", f"ruby/{s}") for s in ["storefront", "support-desk", "status-api", "mailer"]])
    assert len(plan) == 50, len(plan)
    go_versions = [("1.21.4", None), ("1.22.1", "1.22.5"), ("1.20.6", None), ("1.23.0", "1.23.2"), ("1.21", None), ("1.22.0", None)]
    for i, (kind, d) in enumerate(plan):
        app = "@acme/" + d.split("/")[-1]
        if kind in ("npm3", "npm2", "yarn", "pnpm"):
            n = r.randint(80, 400)
            pool = c.names("npm", NPM_REAL, int(n / 1.15) + 1, r, synth_share=0.45)
            entries = npm_tree(c, r, n, pool)
            if kind in ("npm3", "npm2"):
                rel = f"{d}/package-lock.json"
                c.write(case, rel, package_lock(r, app, entries, 3 if kind == "npm3" else 2))
            elif kind == "yarn":
                rel = f"{d}/yarn.lock"
                c.write(case, rel, yarn_lock(r, entries))
                c.write(case, f"{d}/package.json", package_json(r, app, entries))
            else:
                rel = f"{d}/pnpm-lock.yaml"
                c.write(case, rel, pnpm_lock(r, app, entries))
                c.write(case, f"{d}/package.json", package_json(r, app, entries))
            seen = set()
            for e in entries.values():
                if kind in ("yarn", "pnpm") and (e["name"], e["version"]) in seen:
                    continue
                seen.add((e["name"], e["version"]))
                c.add(case, "npm", e["name"], e["version"], rel, e["dev"])
        elif kind == "composer":
            names = c.names("Packagist", COMPOSER_REAL, r.randint(40, 150), r, synth_share=0.2)
            cj = composer_lock(c, r, case, f"{d}/composer.lock", names, len(names) // 5)
            c.write(case, f"{d}/composer.json", json.dumps(cj, indent=4) + "\n")
        elif kind == "go":
            gv, tc = go_versions[i % len(go_versions)]
            names = c.names("Go", GO_REAL, r.randint(15, 60), r, synth_share=0.15)
            go_mod(c, r, case, d, f"github.com/acme/{d.split('/')[-1]}", names, gv, tc)
        elif kind == "cargo":
            names = c.names("crates.io", CRATES_REAL, r.randint(50, 220), r, synth_share=0.3)
            cargo_lock(c, r, case, f"{d}/Cargo.lock", d.split("/")[-1], names, 3 if i % 2 else 4)
        elif kind == "req":
            names = c.names("PyPI", PYPI_REAL, r.randint(10, 60), r, synth_share=0.1)
            requirements_txt(c, r, case, f"{d}/requirements.txt", names, hashes=(d.endswith("ml-train")))
        elif kind == "poetry":
            names = c.names("PyPI", PYPI_REAL, r.randint(20, 90), r, synth_share=0.15)
            poetry_lock(c, r, case, f"{d}/poetry.lock", names)
        elif kind == "pipenv":
            names = c.names("PyPI", PYPI_REAL, r.randint(15, 60), r, synth_share=0.1)
            pipfile_lock(c, r, case, f"{d}/Pipfile.lock", names)
        elif kind == "gem":
            names = c.names("RubyGems", GEMS_REAL, r.randint(50, 130), r, synth_share=0.15)
            gemfile_lock(c, r, case, f"{d}/Gemfile.lock", names)


# ------------------------------------------------------------------ OSV records
GHSA_ALPHA = "23456789cfghjmpqrvwx"
CWES = ["CWE-20", "CWE-22", "CWE-78", "CWE-79", "CWE-89", "CWE-94", "CWE-200", "CWE-287", "CWE-352", "CWE-400",
        "CWE-502", "CWE-601", "CWE-770", "CWE-918", "CWE-1321", "CWE-1333"]
TOPICS = ["Prototype Pollution", "Regular Expression Denial of Service", "Cross-site Scripting", "Path Traversal",
          "Server-Side Request Forgery", "Improper Input Validation", "Uncontrolled Resource Consumption",
          "Deserialization of Untrusted Data", "Open Redirect", "SQL Injection", "Command Injection",
          "Improper Certificate Validation", "Information Exposure", "Cross-Site Request Forgery",
          "HTTP Request Smuggling", "Use After Free", "Integer Overflow", "Authentication Bypass"]


class IDs:
    def __init__(self, r):
        self.r, self.used, self.seq = r, set(), {}

    def _uniq(self, f):
        while True:
            x = f()
            if x not in self.used:
                self.used.add(x)
                return x

    def ghsa(self):
        return self._uniq(lambda: "GHSA-" + "-".join("".join(self.r.choice(GHSA_ALPHA) for _ in range(4)) for _ in range(3)))

    def cve(self, year):
        return self._uniq(lambda: f"CVE-{year}-{self.r.randint(1000, 52999)}")

    def seqid(self, prefix, year, width):
        k = (prefix, year)
        self.seq[k] = self.seq.get(k, 0) + self.r.randint(1, 4)
        return self._uniq(lambda: f"{prefix}-{year}-{self.seq[k]:0{width}d}")


def cvss3(r):
    m = [("AV", "NNNNAL"), ("AC", "LLLH"), ("PR", "NNLH"), ("UI", "NNR"), ("S", "UUUC"), ("C", "HHLN"), ("I", "HLNN"), ("A", "HHLN")]
    return "CVSS:3.1/" + "/".join(f"{k}:{r.choice(v)}" for k, v in m)


def cvss4(r):
    m = [("AV", "NNNAL"), ("AC", "LLH"), ("AT", "NNP"), ("PR", "NNLH"), ("UI", "NNPA"), ("VC", "HHLN"), ("VI", "HLN"),
         ("VA", "HHLN"), ("SC", "NNL"), ("SI", "NNL"), ("SA", "NNL")]
    return "CVSS:4.0/" + "/".join(f"{k}:{r.choice(v)}" for k, v in m)


def sev_label(vec):
    hi = vec.count(":H")
    return "CRITICAL" if hi >= 3 and "AV:N" in vec else "HIGH" if hi >= 2 else "MODERATE" if hi >= 1 else "LOW"


PURL = {"npm": "npm", "Packagist": "composer", "Go": "golang", "crates.io": "cargo", "PyPI": "pypi", "RubyGems": "gem"}


def purl(eco, name):
    n = name.replace("@", "%40") if eco == "npm" else name
    return f"pkg:{PURL[eco]}/{n}"


class Window:
    """A piece of a version history: [lo, hi) when end == 'fixed', [lo, hi] when 'last',
    [lo, ...) when hi is None. lo None means introduced "0"."""

    def __init__(self, lo, hi, end):
        self.lo, self.hi, self.end = lo, hi, end

    def indices(self, n):
        lo = self.lo or 0
        if self.hi is None:
            return set(range(lo, n))
        return set(range(lo, self.hi if self.end == "fixed" else self.hi + 1))

    def events(self, vs, eco):
        ev = [{"introduced": "0" if self.lo is None else db_version(eco, vs[self.lo])}]
        if self.hi is not None:
            ev.append({"fixed" if self.end == "fixed" else "last_affected": db_version(eco, vs[self.hi])})
        return ev


def target_window(r, n, t):
    """A window cut around used index t; the mode says whether t ends up inside."""
    w = _target_window(r, n, t)
    if w.end == "last" and w.lo is not None and w.lo >= w.hi:
        w.lo = w.lo - 1 if w.lo > 0 else None  # introduced X + last_affected X: order undefined
    return w


def _target_window(r, n, t):
    mode = r.choices(["cover", "intro_eq", "last_eq", "fixed_eq", "before"], [52, 12, 10, 14, 12])[0]
    if mode == "fixed_eq" and t == 0 or mode == "before" and t >= n - 1:
        mode = "cover"
    if mode == "cover":
        lo = t - r.randint(0, min(t, 6))
        hi = t + r.randint(1, 3)
        lo = None if lo == 0 and r.random() < 0.6 else lo
        if r.random() < 0.25:
            return Window(lo, min(n - 1, t + r.randint(0, 2)), "last")
        return Window(lo, hi if hi < n else None, "fixed")
    if mode == "intro_eq":
        hi = t + r.randint(1, 4)
        return Window(t, hi if hi < n else None, "fixed")
    if mode == "last_eq":
        lo = t - r.randint(0, min(t, 5))
        return Window(None if lo == 0 else lo, t, "last")
    if mode == "fixed_eq":
        lo = t - r.randint(1, min(t, 6))
        return Window(None if lo == 0 and r.random() < 0.5 else lo, t, "fixed")
    lo = t + 1 + r.randint(0, min(3, n - t - 2))
    hi = lo + r.randint(1, 4)
    return Window(lo, hi if hi < n else None, "fixed")


def free_window(r, n, used):
    """A window that avoids the used indices when it can."""
    for _ in range(12):
        lo = r.randint(0, n - 1)
        hi = lo + r.randint(1, 5)
        w = Window(None if lo == 0 and r.random() < 0.5 else lo, hi if hi < n else None, r.choice(["fixed", "fixed", "last"]))
        if w.end == "last" and w.hi is None:
            w.end = "fixed"
        if not (w.indices(n) & used):
            return w
    return w


def go_imports(name, r):
    sub = {"golang.org/x/net": ["html", "http2", "http/httpproxy", "websocket"],
           "golang.org/x/crypto": ["ssh", "acme/autocert", "openpgp"],
           "stdlib": ["net/http", "net/netip", "crypto/x509", "encoding/gob", "html/template", "path/filepath", "archive/zip"]}
    pkgs = sub.get(name) or [name]
    p = r.choice(pkgs)
    path = p if name == "stdlib" or p == name else f"{name}/{p}"
    return {"imports": [{"path": path, "symbols": sorted(r.sample(["Parse", "Decode", "ServeHTTP", "Read", "Open", "NewClient", "Verify", "Render"], 2))}]}


class DB:
    def __init__(self, c, seed):
        self.c = c
        self.r = random.Random(seed * 7919 + 1)
        self.ids = IDs(self.r)
        self.records = {e: [] for e in ECOSYSTEMS}
        # (eco, db name) -> [(record id, set of indices, withdrawn)]
        self.affects = {}
        self.stats = {e: {"records": 0, "withdrawn": 0, "noise": 0, "twins": 0, "mutual": 0, "related": 0,
                          "versions_only": 0, "last_affected": 0, "multi_range": 0, "cvss_v4": 0} for e in ECOSYSTEMS}

    # ---- building blocks
    def affected(self, eco, name, windows, vs, style, versions_list=False, vonly=False, extra=None):
        entry = {"package": {"ecosystem": eco, "name": db_name(eco, name), "purl": purl(eco, db_name(eco, name))}}
        idx = set()
        for w in windows:
            idx |= w.indices(len(vs))
        if not vonly:
            ranges = []
            if len(windows) > 1 and self.r.random() < 0.5:
                ev = []
                for w in sorted(windows, key=lambda w: w.lo or 0):
                    ev += w.events(vs, eco)
                ranges.append({"type": style, "events": ev})
            else:
                for w in windows:
                    ranges.append({"type": style, "events": w.events(vs, eco)})
            entry["ranges"] = ranges
        if versions_list or vonly:
            entry["versions"] = [db_version(eco, vs[i]) for i in sorted(idx)]
        if extra:
            entry.update(extra)
        return entry, idx

    def new_record(self, eco, rid, aliases, affected, year, kind):
        r = self.r
        pub = ts(r, datetime(year, 1, 1, tzinfo=timezone.utc), 360)
        topic = r.choice(TOPICS)
        pkg = affected[0]["package"]["name"]
        rec = {"schema_version": "1.6.0", "id": rid, "modified": iso(pub + timedelta(days=r.randint(0, 400))),
               "published": iso(pub)}
        if aliases:
            rec["aliases"] = aliases
        rec["summary"] = f"{topic} in {pkg}"
        rec["details"] = (f"{pkg} is vulnerable to {topic.lower()}. An attacker who controls the input to an affected "
                          f"function can exploit this. Upgrade to a fixed version.")
        if kind == "GHSA":
            sev = []
            x = r.random()
            v3 = cvss3(r)
            if x < 0.9:
                sev.append({"type": "CVSS_V3", "score": v3})
            if x >= 0.7:
                sev.append({"type": "CVSS_V4", "score": cvss4(r)})
                self.stats[eco]["cvss_v4"] += 1
            rec["severity"] = sev
        elif kind == "RUSTSEC" and r.random() < 0.4:
            rec["severity"] = [{"type": "CVSS_V3", "score": cvss3(r)}]
        rec["affected"] = affected
        refs = []
        for a in [rid] + (aliases or []):
            if a.startswith("CVE-"):
                refs.append({"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/{a}"})
            elif a.startswith("GHSA-"):
                refs.append({"type": "ADVISORY", "url": f"https://github.com/advisories/{a}"})
        refs.append({"type": "PACKAGE", "url": f"https://example.org/packages/{eco}/{pkg}"})
        if r.random() < 0.6:
            refs.append({"type": "FIX", "url": f"https://example.org/{pkg}/commit/{sha_hex(r, 40)}"})
        rec["references"] = refs
        if kind == "GHSA":
            sev = rec["severity"][0]["score"] if rec["severity"] else "CVSS:3.1/C:L"
            rec["database_specific"] = {"cwe_ids": sorted(r.sample(CWES, r.randint(1, 2))), "github_reviewed": True,
                                        "github_reviewed_at": iso(pub + timedelta(days=r.randint(0, 30))),
                                        "nvd_published_at": iso(pub) if aliases else None, "severity": sev_label(sev)}
        elif kind == "GO":
            rec["database_specific"] = {"url": f"https://pkg.go.dev/vuln/{rid}", "review_status": "REVIEWED"}
        elif kind == "RUSTSEC":
            rec["database_specific"] = {"license": "CC0-1.0"}
        if r.random() < 0.15:
            rec["credits"] = [{"name": r.choice(["Jane Doe", "Security Lab", "Wei Chen", "A. Researcher"]),
                               "type": r.choice(["FINDER", "REPORTER", "REMEDIATION_DEVELOPER"])}]
        return rec

    def check(self, eco, rec):
        """Every range's events are strictly increasing in the package's history and
        alternate introduced / end, so their order is never ambiguous."""
        for a in rec["affected"]:
            name = a["package"]["name"]
            if name == "stdlib":
                continue
            orig = self.orig_names.get((eco, name), name)
            pos = {db_version(eco, v): i for i, v in enumerate(self.c.u.versions(eco, orig))}
            for rg in a.get("ranges", []):
                if rg["type"] == "GIT":
                    continue
                last, want = -2, "introduced"
                for ev in rg["events"]:
                    (k, v), = ev.items()
                    assert (k == "introduced") == (want == "introduced"), rec["id"]
                    i = -1 if v == "0" else pos[v]
                    assert i > last, (rec["id"], rg)
                    last, want = i, ("end" if k == "introduced" else "introduced")

    def add(self, eco, rec, idx_by_pkg, withdrawn=False):
        self.check(eco, rec)
        if withdrawn:
            rec["withdrawn"] = iso(datetime.strptime(rec["modified"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) + timedelta(days=3))
            self.stats[eco]["withdrawn"] += 1
        self.records[eco].append(rec)
        self.stats[eco]["records"] += 1
        for name, idx in idx_by_pkg:
            self.affects.setdefault((eco, db_name(eco, name)), []).append((rec["id"], idx, withdrawn))

    def primary_kind(self, eco):
        r = self.r
        if eco == "PyPI":
            return "PYSEC" if r.random() < 0.45 else "GHSA"
        if eco == "Go":
            return "GO" if r.random() < 0.65 else "GHSA"
        if eco == "crates.io":
            return "RUSTSEC" if r.random() < 0.55 else "GHSA"
        return "GHSA"

    def windows_for(self, n, used, target):
        r = self.r
        shape = r.choices(["one", "multi", "branches"], [70, 18, 12])[0]
        first = target_window(r, n, target) if target is not None else free_window(r, n, used)
        if shape == "one" or n < 6:
            return [first], "one"
        idx = first.indices(n)
        for _ in range(8):
            w = free_window(r, n, used | idx)
            wi = w.indices(n)
            # apart by at least one version, so one range can hold both with every event at a
            # distinct version ("introduced 0" only first, an open end only last)
            if wi and idx and (max(wi) + 1 < min(idx) or min(wi) > max(idx) + 1) and not (w.lo is None and first.lo is None):
                return [first, w], shape
        return [first], "one"

    def vuln_for(self, eco, name, used, target, withdrawn=False, noise=False):
        r, c = self.r, self.c
        vs = c.u.versions(eco, name)
        n = len(vs)
        year = r.randint(2018, 2025)
        kind = self.primary_kind(eco)
        style = "SEMVER" if eco in ("npm", "Go", "crates.io") else "ECOSYSTEM"
        if eco in ("npm", "crates.io") and r.random() < 0.1:
            style = "ECOSYSTEM"
        windows, shape = self.windows_for(n, used, target)
        vonly = r.random() < (0.12 if eco in ("PyPI", "RubyGems", "Packagist") else 0.05)
        vlist = kind == "PYSEC" and not vonly
        st = self.stats[eco]
        st["versions_only"] += vonly
        st["last_affected"] += any(w.end == "last" for w in windows)
        st["multi_range"] += len(windows) > 1
        extra = {}
        if kind == "GO":
            extra["ecosystem_specific"] = go_imports(name, r)
        if kind == "RUSTSEC":
            extra["ecosystem_specific"] = {"affects": {"arch": [], "os": [], "functions": [f"{name.replace('-', '_')}::parse"]}}
            extra["database_specific"] = {"categories": [r.choice(["denial-of-service", "memory-corruption", "crypto-failure"])],
                                          "cvss": None, "informational": None}
        if kind == "GHSA" and r.random() < 0.5:
            extra["database_specific"] = {"source": f"https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/{year}/x.json"}
        if r.random() < 0.03:
            extra["severity"] = [{"type": "CVSS_V3", "score": cvss3(r)}]
        if shape == "branches":
            aff, idx_by = [], []
            for w in windows:
                e, idx = self.affected(eco, name, [w], vs, style, vlist, vonly, extra)
                aff.append(e)
                idx_by.append((name, idx))
        else:
            e, idx = self.affected(eco, name, windows, vs, style, vlist, vonly, extra)
            if kind == "PYSEC" and not vonly and r.random() < 0.5:
                e["ranges"].append({"type": "GIT", "repo": f"https://github.com/example/{pypi_norm(name)}",
                                    "events": [{"introduced": "0"}, {"fixed": sha_hex(r, 40)}]})
            aff, idx_by = [e], [(name, idx)]
        # GHSA-style records for a package and its sibling (babel/babel-traverse, symfony/symfony, …)
        if not noise and r.random() < 0.06:
            other = self.noise_name(eco)
            ovs = c.u.versions(eco, other)
            e2, idx2 = self.affected(eco, other, [free_window(r, len(ovs), set())], ovs, style)
            aff.append(e2)
            idx_by.append((other, idx2))
        if kind == "GHSA":
            rid, aliases = self.ids.ghsa(), ([self.ids.cve(year)] if r.random() < 0.85 else [])
        elif kind == "PYSEC":
            rid, aliases = self.ids.seqid("PYSEC", year, 1), [self.ids.cve(year)]
        elif kind == "GO":
            rid, aliases = self.ids.seqid("GO", year, 4), [self.ids.cve(year), self.ids.ghsa()]
        else:
            rid = self.ids.seqid("RUSTSEC", year, 4)
            aliases = [self.ids.cve(year), self.ids.ghsa()] if r.random() < 0.5 else []
        rec = self.new_record(eco, rid, aliases, aff, year, kind)
        self.add(eco, rec, idx_by, withdrawn)
        if noise:
            st["noise"] += 1
            return rec
        # twins: the other database's record of the same vulnerability (shared CVE, or the
        # GHSA id the primary lists), sometimes with a range that ends one release later
        ghsa_alias = [a for a in aliases if a.startswith("GHSA-")]
        if kind in ("PYSEC", "GO", "RUSTSEC") and aliases and r.random() < 0.6:
            tid = ghsa_alias[0] if ghsa_alias else self.ids.ghsa()
            tw = windows
            if len(windows) == 1 and windows[0].hi is not None and windows[0].hi + 1 < n and r.random() < 0.3:
                tw = [Window(windows[0].lo, windows[0].hi + 1, windows[0].end)]
            e, idx = self.affected(eco, name, tw, vs, style)
            trec = self.new_record(eco, tid, [a for a in aliases if a.startswith("CVE-")], [e], year, "GHSA")
            self.add(eco, trec, [(name, idx)], withdrawn=r.random() < 0.05)
            if kind == "PYSEC" and r.random() < 0.7:
                rec["aliases"].append(tid)
            st["twins"] += 1
        elif kind == "GHSA" and r.random() < 0.03:
            # two GHSA records that name each other (a duplicate pair)
            tid = self.ids.ghsa()
            rec.setdefault("aliases", []).append(tid)
            e, idx = self.affected(eco, name, windows, vs, style)
            trec = self.new_record(eco, tid, [rid], [e], year, "GHSA")
            self.add(eco, trec, [(name, idx)])
            st["mutual"] += 1
        return rec

    def noise_name(self, eco):
        used = self.used_names[eco]
        while True:
            n = self.c.synth(eco, self.r)
            if db_name(eco, n) not in used:
                self.orig_names.setdefault((eco, db_name(eco, n)), n)
                return n

    def stdlib_records(self):
        r = self.r
        vs = STDLIB
        branches = {}
        for i, v in enumerate(vs):
            branches.setdefault(".".join(v.split(".")[:2]), []).append(i)
        for _ in range(36):
            year = r.randint(2023, 2025)
            ev, idx = [], set()
            lines = sorted(branches)
            k = r.randint(1, len(lines))
            active = lines[-k:] if r.random() < 0.7 else lines[:k]
            for j, line in enumerate(active):
                ii = branches[line]
                fix = r.choice(ii[1:]) if r.random() < 0.9 else None
                if j == 0 and line == lines[0]:
                    ev.append({"introduced": "0"})
                    lo = 0
                else:
                    ev.append({"introduced": f"{line}.0-0"})
                    lo = ii[0]
                if fix is None:
                    idx |= set(range(lo, ii[-1] + 1))
                    ev.append({"last_affected": vs[ii[-1]]})
                else:
                    idx |= set(range(lo, fix))
                    ev.append({"fixed": vs[fix]})
            rid = self.ids.seqid("GO", year, 4)
            aliases = [self.ids.cve(year)]
            e = {"package": {"ecosystem": "Go", "name": "stdlib", "purl": "pkg:golang/stdlib"},
                 "ranges": [{"type": "SEMVER", "events": ev}], "ecosystem_specific": go_imports("stdlib", r)}
            rec = self.new_record("Go", rid, aliases, [e], year, "GO")
            self.add("Go", rec, [("stdlib", idx)])

    def build(self):
        r, c = self.r, self.c
        used = {}  # (eco, name) -> set of indices
        for inst in (i for lst in c.instances.values() for i in lst):
            vs = c.u.versions(inst.eco, inst.name)
            v = inst.version
            if inst.eco == "Go" and inst.name != "stdlib":
                v = "v" + v
            if inst.eco == "Go" and inst.name == "stdlib" and v.count(".") == 1:
                v = v + ".0"
            used.setdefault((inst.eco, inst.name), set()).add(vs.index(v))
        self.used_names = {e: {db_name(e, n) for (ee, n) in used if ee == e} for e in ECOSYSTEMS}
        self.orig_names = {(e, db_name(e, n)): n for (e, n) in used}
        weights = {"npm": [44, 30, 16, 7, 3], "Packagist": [30, 32, 22, 10, 6], "PyPI": [25, 30, 24, 13, 8],
                   "Go": [35, 30, 20, 10, 5], "crates.io": [35, 32, 20, 9, 4], "RubyGems": [30, 32, 22, 10, 6]}
        for (eco, name), idx in sorted(used.items()):
            if name == "stdlib":
                continue
            k = r.choices(range(5), weights[eco])[0]
            for _ in range(k):
                target = r.choice(sorted(idx)) if r.random() < 0.7 else None
                self.vuln_for(eco, name, idx, target, withdrawn=r.random() < 0.04)
        self.stdlib_records()
        noise = {"npm": 700, "Packagist": 260, "PyPI": 220, "Go": 160, "crates.io": 150, "RubyGems": 160}
        for eco, k in noise.items():
            for i in range(k):
                name = self.noise_name(eco)
                if eco == "npm" and i % 25 == 0:
                    self.malicious(name)
                else:
                    self.vuln_for(eco, name, set(), None, noise=True)
        # records that mention a related (not alias) record of the same package: not to be merged
        by_pkg = {}
        for eco in ECOSYSTEMS:
            for rec in self.records[eco]:
                by_pkg.setdefault((eco, rec["affected"][0]["package"]["name"]), []).append(rec)
        for (eco, _), recs in sorted(by_pkg.items()):
            if len(recs) > 1 and r.random() < 0.08:
                a, b = r.sample(recs, 2)
                if b["id"] not in a.get("aliases", []) and a["id"] not in b.get("aliases", []) and \
                        not set(a.get("aliases", [])) & set(b.get("aliases", [])):
                    a["related"] = [b["id"]]
                    self.stats[eco]["related"] += 1

    def malicious(self, name):
        year = self.r.randint(2022, 2025)
        rid = self.ids.seqid("MAL", year, 1)
        e = {"package": {"ecosystem": "npm", "name": name, "purl": purl("npm", name)},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
             "database_specific": {"malicious-packages-origins": [{"source": "ghsa-malware", "sha256": sha_hex(self.r)}]}}
        pub = ts(self.r, datetime(year, 1, 1, tzinfo=timezone.utc), 360)
        rec = {"schema_version": "1.6.0", "id": rid, "modified": iso(pub), "published": iso(pub),
               "summary": f"Malicious code in {name} (npm)", "details": "This package contains malicious code.",
               "affected": [e]}
        self.add("npm", rec, [(name, set(range(len(self.c.u.versions("npm", name)))))])
        self.stats["npm"]["noise"] += 1


# ------------------------------------------------------------------ expected result
def alias_groups(recs):
    """Alias closure of matched records: connected by shared id or alias."""
    tokens = [set([rid]) | set(al) for rid, al in recs]
    parent = list(range(len(tokens)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    owner = {}
    for i, t in enumerate(tokens):
        for x in t:
            if x in owner:
                parent[find(i)] = find(owner[x])
            else:
                owner[x] = i
    groups = {}
    for i, t in enumerate(tokens):
        groups.setdefault(find(i), set()).update(t)
    return [sorted(g) for g in groups.values()]


def expected(c, db, case):
    aliases = {rec["id"]: rec.get("aliases", []) for eco in ECOSYSTEMS for rec in db.records[eco]}
    out, seen = [], set()
    for inst in c.instances.get(case, []):
        if inst.eco == "Go" and inst.name == "stdlib":
            continue  # go.mod's go/toolchain line is a minimum, not the toolchain that builds
        key = (inst.eco, db_name(inst.eco, inst.name), inst.version)
        if key in seen:
            continue
        seen.add(key)
        vs = c.u.versions(inst.eco, inst.name)
        v = inst.version
        if inst.eco == "Go" and inst.name != "stdlib":
            v = "v" + v
        if inst.eco == "Go" and inst.name == "stdlib" and v.count(".") == 1:
            v += ".0"
        i = vs.index(v)
        hits = [(rid, aliases[rid]) for rid, idx, wd in db.affects.get((inst.eco, db_name(inst.eco, inst.name)), [])
                if not wd and i in idx]
        if hits:
            out.append({"ecosystem": inst.eco, "name": key[1], "version": inst.version,
                        "ids": sorted(h[0] for h in hits), "groups": sorted(alias_groups(hits))})
    out.sort(key=lambda d: (d["ecosystem"], d["name"], d["version"]))
    return out


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    out = a.outdir
    for sub in ("cases", "osv", "osv-json", "expected"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    c = Corpus(a.seed)
    build_corpus(c)
    db = DB(c, a.seed)
    db.build()
    summary = {"seed": a.seed, "cases": {}, "osv": {}}
    for case, files in c.files.items():
        for rel, text in files.items():
            p = os.path.join(out, "cases", case, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        insts = c.instances[case]
        per_eco = {}
        for i in insts:
            per_eco[i.eco] = per_eco.get(i.eco, 0) + 1
        lockfiles = sorted({i.lockfile for i in insts})
        exp = expected(c, db, case)
        os.makedirs(os.path.join(out, "expected"), exist_ok=True)
        with open(os.path.join(out, "expected", case + ".json"), "w") as f:
            json.dump(exp, f, indent=1)
        summary["cases"][case] = {"lockfiles": len(lockfiles), "packages": len(insts),
                                  "packages_by_ecosystem": dict(sorted(per_eco.items())),
                                  "bytes": sum(len(t) for t in files.values()),
                                  "vulnerable_package_versions": len(exp),
                                  "expected_groups": sum(len(e["groups"]) for e in exp),
                                  "formats": sorted({os.path.basename(l) for l in lockfiles})}
    for eco in ECOSYSTEMS:
        d = os.path.join(out, "osv-json", eco)
        os.makedirs(d, exist_ok=True)
        zdir = os.path.join(out, "osv", eco)
        os.makedirs(zdir, exist_ok=True)
        with zipfile.ZipFile(os.path.join(zdir, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
            for rec in sorted(db.records[eco], key=lambda x: x["id"]):
                body = json.dumps(rec, indent=2) + "\n"
                with open(os.path.join(d, rec["id"] + ".json"), "w") as f:
                    f.write(body)
                zi = zipfile.ZipInfo(rec["id"] + ".json", date_time=(2025, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, body)
        summary["osv"][eco] = db.stats[eco]
    summary["osv_records"] = sum(s["records"] for s in db.stats.values())
    with open(os.path.join(out, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=1)
    for case, s in summary["cases"].items():
        print(f"{case}: {s['lockfiles']} lockfiles, {s['packages']} packages, {s['vulnerable_package_versions']} "
              f"vulnerable package versions expected ({s['expected_groups']} alias groups)")
    print(f"osv: {summary['osv_records']} records: " + ", ".join(f"{e} {db.stats[e]['records']}" for e in ECOSYSTEMS))


if __name__ == "__main__":
    main()
