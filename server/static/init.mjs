// Starts GOV.UK Frontend's components (error summary focus, button double-click protection and
// the rest). Only an enhancement: every page works without JavaScript.
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();
