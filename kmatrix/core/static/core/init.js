// Start the NHS.UK components (header menu, error summary focus, tables, tabs ...).
import { initAll } from "../vendor/nhsuk-frontend.min.js";

initAll();
