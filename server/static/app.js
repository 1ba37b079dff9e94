// Loaded at the start of <body>: tells GOV.UK Frontend's styles that JavaScript is running and
// whether the browser supports its components (ES modules). Pages work without it.
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
