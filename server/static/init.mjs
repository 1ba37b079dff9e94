// Starts GOV.UK Frontend's components (error summary focus, button double-click protection and
// the rest). Only an enhancement: every page works without JavaScript.
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();

// The running total on the "choose projects" page: what the ticked projects cost against the
// area's budget, or the points given against those to share, updated as the resident chooses.
// Without JavaScript the "check your choices" page shows the same total.
const total = document.querySelector('[data-running-total]');
if (total) {
  const form = total.closest('form');
  const limit = Number(total.dataset.limit);
  const points = total.dataset.runningTotal === 'points';
  const money = (pence) => {
    const pounds = Math.floor(pence / 100).toLocaleString('en-GB');
    const rest = pence % 100;
    return '£' + pounds + (rest ? '.' + String(rest).padStart(2, '0') : '');
  };
  const update = () => {
    let sum = 0;
    if (points) {
      for (const input of form.querySelectorAll('[data-points]')) {
        const n = Number.parseInt(input.value, 10);
        if (n > 0) sum += n;
      }
    } else {
      for (const input of form.querySelectorAll('[data-cost]:checked')) {
        sum += Number(input.dataset.cost);
      }
    }
    const over = sum > limit && total.dataset.over !== '';
    const text = total.dataset.template.replace('%TOTAL%', points ? String(sum) : money(sum));
    total.textContent = over ? text + ' ' + total.dataset.over : text;
    total.classList.toggle('yd-running-total--over', over);
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
  total.hidden = false;
}
