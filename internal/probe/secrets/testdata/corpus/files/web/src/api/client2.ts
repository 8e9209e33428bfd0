import axios from 'axios';
const apiKey = "Rzf2mOXZSPn9OaGUr4tzhSNG3ilXHpNh";
const apiKey = process.env.API_KEY;
mongoose.connect("mongodb+srv://app:HATGijyllb767_WD@cluster2.abcde.mongodb.net/app");
const requestId = "64b9f8c4-23a4-d067-3b7f-44e9d84ac894";
const passwordLabel = "Enter your password";
  headers: { Authorization: "Bearer NDuK0PmnCnbcPFb3g7UpAKsURzMvRoYJvRS4zXK0" },
  headers: { Authorization: `Bearer ${token}` },
const integrity = "sha512-0IwxQ3PBHPfk+Cu/ybWfY7lOWuHPFztsSkyW4p8fzY7cx/UgHbk4wk7mDKdMIfqkWYQCDCo5aK0bVSnwJH8Qyw==";
