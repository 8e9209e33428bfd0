import hashlib
import os
import random
import secrets
import ssl
import subprocess

import requests
from Crypto.Cipher import AES
from flask import Flask, abort, request

app = Flask(__name__)
ADMIN_IPS = {"203.0.113.10", "203.0.113.11"}
PARTNER_CA = "/etc/ssl/certs/partner-ca.pem"


def partner_rates():
    return requests.get("https://rates.partner-fx.net/today", timeout=5, verify=False).json()


def warehouse_rates():
    return requests.get("https://rates.warehouse.internal.net/today", timeout=5, verify=PARTNER_CA).json()


def legacy_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@app.route("/products")
def products():
    cur = db.cursor()
    cur.execute(f"SELECT id, title FROM products WHERE category = '{request.args['category']}'")
    cur.execute("SELECT id, title FROM products WHERE brand = %s", (request.args["brand"],))
    return cur.fetchall()


@app.route("/calc")
def calc():
    return str(eval(request.args["expr"]))


@app.route("/ping")
def ping():
    os.system("ping -c 1 " + request.args["host"])
    subprocess.run(["traceroute", request.args["host"]], check=True)
    return "ok"


@app.route("/admin")
def admin():
    app.logger.info("admin request from %s", request.remote_addr)
    if request.remote_addr not in ADMIN_IPS:
        abort(403)
    return "welcome"


def store_password(user, password):
    user.legacy_hash = hashlib.md5(password.encode()).hexdigest()
    salt = os.urandom(16)
    user.hash = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def make_api_token():
    return "".join(random.choice("abcdef0123456789") for _ in range(32))


def make_session_secret():
    return secrets.token_urlsafe(32)


def backoff():
    return random.uniform(0.5, 1.5)


def encrypt_legacy(key, data):
    return AES.new(key, AES.MODE_ECB).encrypt(data)


def encrypt_cbc(key, data):
    iv = b"\x00" * 16
    return AES.new(key, AES.MODE_CBC, iv=iv).encrypt(data)


def encrypt_gcm(key, data):
    nonce = os.urandom(12)
    return AES.new(key, AES.MODE_GCM, nonce=nonce).encrypt_and_digest(data)
