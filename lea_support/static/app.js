// Start GOV.UK Frontend's components (error summary focus, character counts, ...).
import { initAll } from '/assets/js/govuk-frontend.min.js'
initAll()

// A table wider than the screen scrolls inside its own region rather than widening the page. The
// region is named after the table's caption (or the heading before it) and takes the focus, so
// that people using a keyboard can scroll it too.
function labelFor (table) {
  const caption = table.querySelector('caption')
  if (caption) return caption.textContent.trim()
  let node = table.previousElementSibling
  while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling
  return node ? node.textContent.trim() : 'Table'
}

for (const table of document.querySelectorAll('table.govuk-table')) {
  if (table.parentElement.classList.contains('app-table-scroll')) continue
  const region = document.createElement('div')
  region.className = 'app-table-scroll'
  region.setAttribute('role', 'region')
  region.setAttribute('aria-label', labelFor(table) + ' (scrolls sideways)')
  region.tabIndex = 0
  table.parentNode.insertBefore(region, table)
  region.appendChild(table)
}
