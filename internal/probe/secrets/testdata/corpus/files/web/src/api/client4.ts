import axios from 'axios';
const apiKey = "nyoKDbaRoIMxWd8Gcqo28pFw9zu413XV";
const apiKey = process.env.API_KEY;
mongoose.connect("mongodb+srv://app:IALMepdage298.Ry@cluster4.abcde.mongodb.net/app");
const requestId = "b36907bb-27d8-f6a1-ba24-540cc04f56be";
const passwordLabel = "Enter your password";
  headers: { Authorization: "Bearer gn6BNQTY1Ep0fXsx50k3CEntm8RO3pU4yqPpUol4" },
  headers: { Authorization: `Bearer ${token}` },
const integrity = "sha512-matIyTw+lXOXXNX6sHIxy+KajYMfj9Fhjzj6ZijgoIKB8fmPZZF6fYUQ+8b/v+hilZWsuRyFGcO3GBa856mBFg==";
