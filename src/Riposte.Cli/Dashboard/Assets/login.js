'use strict';
// The sign-in form says when the last token was refused (the post redirects back with ?failed=1).
if (new URLSearchParams(location.search).has('failed')) document.getElementById('login-error').hidden = false;
