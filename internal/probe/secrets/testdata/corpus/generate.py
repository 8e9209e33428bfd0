#!/usr/bin/env python3
"""Builds posture's labelled secrets corpus: realistic files in many formats, each line that
holds a real-looking (random, fake) credential labelled in manifest.yaml; everything else is a
hard negative. Deterministic (seeded) so the corpus only changes when this script does.
Run from this directory: python3 generate.py"""
import random, string, base64, json, os, shutil, uuid, hashlib

rnd = random.Random(20261129)
AN = string.ascii_letters + string.digits
def r(n, a=AN): return ''.join(rnd.choice(a) for _ in range(n))
def pw(): return r(4, string.ascii_uppercase) + r(6, string.ascii_lowercase) + r(3, string.digits) + rnd.choice('!#%*+-_.@') + r(2)
def tok(n=32): return r(n)
def hexs(n): return r(n, '0123456789abcdef')
def uid(): return str(uuid.UUID(int=rnd.getrandbits(128)))

files = {}   # path -> list of lines
labels = []  # (path, line, note)

def add(path, line, secret=False, note=''):
    files.setdefault(path, []).append(line)
    if secret:
        labels.append((path, len(files[path]), note))

def neg(path, line): add(path, line)
def pos(path, line, note): add(path, line, True, note)

# --- YAML configs: generic passwords and tokens, placeholders, references, names ---
for i in range(6):
    p = f'deploy/app{i}/config.yaml'
    neg(p, 'database:'); neg(p, f'  host: db{i}.internal'); neg(p, '  port: 5432')
    pos(p, f'  password: {pw()}', 'yaml unquoted password')
    neg(p, '  password_min_length: 12')
    neg(p, '  replica_password: ${REPLICA_PASSWORD}')
    neg(p, 'auth:')
    pos(p, f'  client_secret: "{tok(40)}"', 'yaml quoted client secret')
    neg(p, '  token_url: https://login.internal/oauth2/token')
    neg(p, '  secret_name: prod-db-credentials')
    neg(p, f'  request_id: "{uid()}"')
    neg(p, f'  checksum: "{hexs(64)}"')
    neg(p, '  api_key: <your-api-key>')
    pos(p, f'  api_key: {tok(32)}', 'yaml unquoted api key')
    neg(p, '  tokenizer: whitespace_tokenizer')
    neg(p, '  password: !vault |')
    neg(p, '  smtp_password: "{{ vault_smtp_password }}"')

# --- .env files ---
for i in range(5):
    p = f'services/svc{i}/.env'
    neg(p, f'APP_NAME=svc{i}'); neg(p, 'APP_ENV=production')
    pos(p, f'DB_PASSWORD={pw()}', 'env password')
    pos(p, f'JWT_SECRET={tok(48)}', 'env jwt secret')
    neg(p, 'MAIL_PASSWORD=')
    neg(p, 'CACHE_DRIVER=redis')
    neg(p, 'SESSION_SECRET=changeme')
    pos(p, f'DATABASE_URL=postgres://svc{i}:{pw()}@db.internal:5432/svc{i}', 'env database url')
    neg(p, 'REDIS_URL=redis://localhost:6379/0')
    neg(p, f'BUILD_SHA={hexs(40)}')
for i in range(3):
    p = f'examples/svc{i}/.env.example'
    neg(p, 'DB_PASSWORD=your-password-here'); neg(p, 'JWT_SECRET=changeme'); neg(p, 'DATABASE_URL=postgres://user:password@localhost/app')

# --- PHP / WordPress ---
for i in range(4):
    p = f'sites/site{i}/wp-config.php'
    neg(p, '<?php'); neg(p, f"define( 'DB_NAME', 'site{i}' );"); neg(p, "define( 'DB_USER', 'wp' );")
    pos(p, f"define( 'DB_PASSWORD', '{pw()}' );", 'wp db password')
    neg(p, "define( 'DB_HOST', 'localhost' );")
    for k in ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY']:
        pos(p, f"define( '{k}', '{r(64, AN + '!@#%^&*()-_[]{}<>~+=,.;:/?|')}' );", 'wp salt')
    neg(p, "define( 'AUTH_SALT', 'put your unique phrase here' );")
for i in range(3):
    p = f'app/config/mail{i}.php'
    neg(p, '<?php'); neg(p, 'return [')
    pos(p, f"    'password' => '{pw()}',", 'php array password')
    neg(p, "    'password' => env('MAIL_PASSWORD'),")
    pos(p, f"    'api_secret' => '{tok(40)}',", 'php array secret')
    neg(p, "    'password_reset_route' => '/account/reset',")
    neg(p, '];')
    p = f'app/lib/Legacy{i}.php'
    pos(p, f'$db_pass = "{pw()}";', 'php variable password')
    neg(p, '$password = $_POST["password"];')
    neg(p, f"$hash = '$2y$10${r(53, AN + './')}';")

# --- JavaScript / TypeScript ---
for i in range(5):
    p = f'web/src/api/client{i}.ts'
    neg(p, "import axios from 'axios';")
    pos(p, f'const apiKey = "{tok(32)}";', 'js api key')
    neg(p, 'const apiKey = process.env.API_KEY;')
    pos(p, f'mongoose.connect("mongodb+srv://app:{pw()}@cluster{i}.abcde.mongodb.net/app");', 'js mongodb url')
    neg(p, f'const requestId = "{uid()}";')
    neg(p, 'const passwordLabel = "Enter your password";')
    pos(p, f'  headers: {{ Authorization: "Bearer {tok(40)}" }},', 'js bearer token')
    neg(p, '  headers: { Authorization: `Bearer ${token}` },')
    neg(p, f'const integrity = "sha512-{base64.b64encode(rnd.randbytes(64)).decode()}";')

# --- Python ---
for i in range(4):
    p = f'jobs/etl{i}/settings.py'
    neg(p, 'import os')
    pos(p, f'DB_PASSWORD = "{pw()}"', 'python password')
    neg(p, 'DB_PASSWORD = os.environ["DB_PASSWORD"]')
    pos(p, f"SECRET_KEY = '{tok(50)}'", 'python django secret key')
    neg(p, "SECRET_KEY_FALLBACKS = []")
    pos(p, f'BROKER_URL = "amqp://etl:{pw()}@mq.internal:5672//"', 'python amqp url')
    neg(p, 'BROKER_URL = "amqp://guest:guest@localhost:5672//"')
    neg(p, f'COMMIT = "{hexs(40)}"')

# --- Go ---
for i in range(3):
    p = f'cmd/worker{i}/main.go'
    neg(p, 'package main'); neg(p, '')
    pos(p, f'const signingKey = "{tok(44)}"', 'go signing key'); neg(p, '')
    neg(p, 'func main() {')
    pos(p, f'\tcfg := Config{{User: "worker", Password: "{pw()}"}}', 'go struct password')
    neg(p, '\tcfg.Password = os.Getenv("WORKER_PASSWORD")')
    neg(p, '}'); neg(p, '')
    neg(p, f'const traceID = "{hexs(32)}"')

# --- Java properties / XML / INI ---
for i in range(3):
    p = f'java/svc{i}/src/main/resources/application.properties'
    neg(p, f'spring.application.name=svc{i}')
    pos(p, f'spring.datasource.password={pw()}', 'properties password')
    neg(p, 'spring.datasource.password=${DB_PASSWORD}')
    pos(p, f'spring.datasource.url=jdbc:postgresql://app{i}:{pw()}@db:5432/app', 'jdbc url')
    p = f'java/svc{i}/conf/settings.xml'
    neg(p, '<server>'); neg(p, f'  <id>nexus{i}</id>'); neg(p, '  <username>deploy</username>')
    pos(p, f'  <password>{pw()}</password>', 'xml password element')
    neg(p, '  <password>${env.NEXUS_PASSWORD}</password>')
    neg(p, '</server>')
for i in range(2):
    p = f'etc/db{i}/my.cnf'
    neg(p, '[client]'); neg(p, 'user=backup')
    pos(p, f'password={pw()}', 'my.cnf password')
    p = f'etc/odbc{i}.ini'
    pos(p, f'ConnectionString="Server=sql{i}.corp;Database=crm;User Id=crm;Password={pw()};"', 'connection string')
    neg(p, 'ConnectionString="Server=sql;Database=crm;Integrated Security=true;"')

# --- Shell / CI ---
for i in range(3):
    p = f'scripts/backup{i}.sh'
    neg(p, '#!/bin/sh')
    pos(p, f'mysqldump -u backup -p{pw()} shop > /backups/shop.sql', 'mysql -p password')
    neg(p, 'mysqldump -u backup -p"$MYSQL_PASSWORD" shop > /backups/shop.sql')
    pos(p, f'curl -u deploy:{pw()} https://artifacts.internal/upload', 'curl -u')
    pos(p, f'git clone https://ci-bot:{tok(24)}@git.internal/platform/infra.git', 'https url credentials')
    neg(p, 'git clone https://github.com/org/repo.git')

# --- Private keys and JWTs ---
for i in range(3):
    p = f'keys/deploy{i}.pem'
    body = base64.b64encode(rnd.randbytes(600)).decode()
    lines = [body[j:j+64] for j in range(0, len(body), 64)]
    files[p] = ['-----BEGIN RSA PRIVATE KEY-----'] + lines + ['-----END RSA PRIVATE KEY-----']
    labels.append((p, 2, 'pem private key'))
    p = f'keys/deploy{i}.pub.pem'
    files[p] = ['-----BEGIN PUBLIC KEY-----'] + lines[:6] + ['-----END PUBLIC KEY-----']
for i in range(2):
    h = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip('=')
    pl = base64.urlsafe_b64encode(json.dumps({"sub": r(10), "role": "service", "iat": 1760000000 + i}).encode()).decode().rstrip('=')
    p = f'tests/integration/fixtures{i}.json'
    neg(p, '{')
    pos(p, f'  "serviceToken": "{h}.{pl}.{r(43, AN + "-_")}",', 'jwt')
    neg(p, f'  "id": "{uid()}",')
    neg(p, '  "example": "eyJhbGciOiJIUzI1NiJ9.e30.sig"')
    neg(p, '}')

# --- Kubernetes secret with base64 data ---
for i in range(2):
    p = f'k8s/overlays/prod{i}/secret.yaml'
    neg(p, 'apiVersion: v1'); neg(p, 'kind: Secret'); neg(p, 'data:')
    pos(p, '  DATABASE_URL: ' + base64.b64encode(f'postgres://app:{pw()}@db:5432/app'.encode()).decode(), 'base64 database url')
    neg(p, '  ca.crt: ' + base64.b64encode(rnd.randbytes(48)).decode())

# --- Docs: hard negatives only ---
p = 'docs/configuration.md'
for line in ['# Configuration', 'Set `password: <your password>` in config.yaml.', 'AWS documentation uses AKIAIOSFODNN7EXAMPLE as an access key.',
             'The secret key is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in the examples.', 'Run `export API_TOKEN=$(vault read -field=token secret/ci)`.',
             'Use `DATABASE_URL=postgres://user:pass@localhost/db` locally.', f'Commit {hexs(40)} introduced the change.',
             f'Request {uid()} failed.', 'password: xxxxxxxxxxxx', 'token: "REDACTED"']:
    neg(p, line)

shutil.rmtree('files', ignore_errors=True)
for path, lines in files.items():
    full = os.path.join('files', path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'w') as f:
        f.write('\n'.join(lines) + '\n')
with open('manifest.yaml', 'w') as f:
    f.write('# Generated by generate.py: every line holding a credential, as path:line. All other lines are negatives.\n')
    f.write(f'# {len(labels)} positives in {len(files)} files.\npositives:\n')
    for path, line, note in sorted(labels):
        f.write(f'  - {{path: "{path}", line: {line}, note: "{note}"}}\n')
print(len(labels), 'positives in', len(files), 'files')
