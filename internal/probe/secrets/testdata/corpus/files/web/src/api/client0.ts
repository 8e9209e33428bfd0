import axios from 'axios';
const apiKey = "5yAKNaK5FFfHenhjBeZbSQ3VU0mM4QbO";
const apiKey = process.env.API_KEY;
mongoose.connect("mongodb+srv://app:NHIAxajzpc533.12@cluster0.abcde.mongodb.net/app");
const requestId = "0260e5a2-abd1-1cac-00aa-6ff4b24e969d";
const passwordLabel = "Enter your password";
  headers: { Authorization: "Bearer m2fVCv0rJ4opzvoMViBhPpJnGI1pCE0xLHv3O0Wq" },
  headers: { Authorization: `Bearer ${token}` },
const integrity = "sha512-m7vbkC6rvdAwvky3c6Po3DnVsLxbFBDDIYQTzCz6HyYL2Uqjhp+W9rIIyDGdjFxON2BdHbHBuzJRiVrgnpykfA==";
