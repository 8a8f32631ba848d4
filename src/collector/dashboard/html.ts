/**
 * The dashboard's one HTML page. Static: no data is ever written into it on the server; the script
 * fills it with DOM calls. Asset URLs are relative, so a dashboard served under a path prefix works.
 * @module
 */

/** The page served at `/`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Sluice collector</title>
<link rel="icon" href="./assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="./assets/dashboard.css">
<script src="./assets/dashboard.js" defer></script>
</head>
<body>
<header class="topbar">
<a class="brand" href="#/"><img src="./assets/icon.svg" alt="" width="22" height="22">Sluice</a>
<nav aria-label="Pages">
<a href="#/" data-page="overview">Overview</a>
<a href="#/log" data-page="log">Requests</a>
<a href="#/tail" data-page="tail">Live tail</a>
</nav>
<button type="button" id="forget-key" class="link" hidden>Forget key</button>
</header>
<main id="main"><p class="loading">Loading…</p></main>
<noscript><p class="card alert">The dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;

/** The icon: a sluice gate over water. */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2563eb"/><path d="M7 9h18v4H7z" fill="#fff"/><path d="M6 19c3-2.5 5-2.5 8 0s5 2.5 8 0 4-2 4-2v3s-1 1.5-4 2.5-5 0-8-2-5-2-8 0z" fill="#93c5fd"/><path d="M6 24c3-2.5 5-2.5 8 0s5 2.5 8 0 4-2 4-2v3s-1 1.5-4 2.5-5 0-8-2-5-2-8 0z" fill="#dbeafe"/></svg>
`;
