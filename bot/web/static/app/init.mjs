// The components' JavaScript: the pages work without it.
import { initAll } from '/assets/govuk-frontend-6.3.0/govuk-frontend.min.js'

initAll()
