// Start GOV.UK Frontend's components (error summary focus, character counts, ...).
import { initAll } from '/assets/js/govuk-frontend.min.js'
initAll()
