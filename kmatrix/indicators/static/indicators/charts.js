// Draws Vega-Lite charts with vega-embed: those on the page, and those htmx brings in later
// (the small multiples load after the page).
//
// The Content Security Policy allows no eval, so Vega's expressions run in its interpreter
// (`ast: true`), and no inline <style>, so vega-embed's and the tooltip's own stylesheets are
// off (indicators.css has their rules). A chart's spec is a JSON data block on the page
// (data-spec-id) or an address to fetch (data-spec-url). If drawing fails, the data table that
// every chart has stays the way to read it.
"use strict";

(function () {
  const options = {
    ast: true,
    actions: false,
    defaultStyle: false,
    renderer: "svg",
    tooltip: { disableDefaultStyle: true },
    // Empty facets and layers are normal here; only errors are worth the console.
    logLevel: window.vega ? window.vega.Error : 1,
  };

  function specFor(element) {
    const inline = element.getAttribute("data-spec-id");
    if (inline) {
      return Promise.resolve(JSON.parse(document.getElementById(inline).textContent));
    }
    return fetch(element.getAttribute("data-spec-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("The chart could not be loaded (" + response.status + ").");
      }
      return response.json();
    });
  }

  function draw(element) {
    if (element.hasAttribute("data-started")) {
      return;
    }
    element.setAttribute("data-started", "");
    specFor(element)
      .then(function (spec) {
        return window.vegaEmbed(element, spec, options);
      })
      .then(function () {
        element.setAttribute("data-drawn", "");
      })
      .catch(function (error) {
        const message = document.createElement("p");
        message.className = "nhsuk-error-message";
        message.textContent = "The chart could not be drawn. The data table has every value.";
        element.replaceChildren(message);
        console.error(error);
      });
  }

  function drawWithin(root) {
    if (root.matches && root.matches("[data-km-chart]")) {
      draw(root);
    }
    root.querySelectorAll("[data-km-chart]").forEach(draw);
  }

  drawWithin(document);
  document.addEventListener("htmx:load", function (event) {
    drawWithin(event.detail.elt);
  });
})();
