import axios from 'axios';
const apiKey = "aQrXjbI53Mo4JOIuQ8BOAjGJz0cNBZs2";
const apiKey = process.env.API_KEY;
mongoose.connect("mongodb+srv://app:OPHHqhcfkh750-sq@cluster1.abcde.mongodb.net/app");
const requestId = "8bd1bd0e-9141-9265-f4d9-a2b0d4e2a07a";
const passwordLabel = "Enter your password";
  headers: { Authorization: "Bearer MbhANKbpccxafKO7rwOjaq50vPaB1HsppAh0AeiK" },
  headers: { Authorization: `Bearer ${token}` },
const integrity = "sha512-zimAD3sde9z8VqeDXJq2CsaEJrhLmqjVl69i/nkqCEg0TTgEuxEWG8y8DSNCTzZ+Pov9JfonP7mnI2yi3o+Oxg==";
