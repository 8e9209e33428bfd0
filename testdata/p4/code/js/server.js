'use strict';
const https = require('https');
const crypto = require('crypto');
const { exec, execFile } = require('child_process');
const express = require('express');
const bcrypt = require('bcrypt');

const app = express();
const partnerAgent = new https.Agent({ rejectUnauthorized: false });
const stockAgent = new https.Agent({ rejectUnauthorized: true, ca: process.env.STOCK_CA });

if (process.env.PARTNER_SANDBOX) {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
}

app.get('/orders/:id', async (req, res) => {
  const rows = await db.query(`SELECT * FROM orders WHERE id = ${req.params.id}`);
  const safe = await db.query('SELECT * FROM orders WHERE id = $1', [req.params.id]);
  res.json({ rows, safe });
});

app.post('/calc', (req, res) => {
  res.json({ total: eval(req.body.expression) });
});

app.get('/ping', (req, res) => {
  exec(`ping -c 1 ${req.query.host}`, (err, out) => res.send(out));
});

app.get('/trace', (req, res) => {
  execFile('traceroute', [req.query.host], (err, out) => res.send(out));
});

app.use('/admin', (req, res, next) => {
  console.log('admin request from', req.ip);
  if (req.ip !== '203.0.113.10') return res.sendStatus(403);
  next();
});

function newInviteCode() {
  return Math.random().toString(36).slice(2, 10);
}

function jitter(ms) {
  return ms + Math.floor(Math.random() * 250);
}

async function storePassword(user, password) {
  user.legacyHash = crypto.createHash('md5').update(password).digest('hex');
  user.hash = await bcrypt.hash(password, 12);
}

function encryptLegacy(key, text) {
  const iv = Buffer.from('0000000000000000');
  const c = crypto.createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([c.update(text), c.final()]);
}

function encrypt(key, text) {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, c.update(text), c.final(), c.getAuthTag()]);
}

module.exports = { app, partnerAgent, stockAgent, newInviteCode, jitter, storePassword, encryptLegacy, encrypt };
