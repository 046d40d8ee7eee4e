// Term autocomplete: fills the <datalist> of a term field from GET /api/terms.
// The form works without it; this only offers labels the taxonomy knows.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-term-kind]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        // list fields: complete the item after the last ';'
        const q = input.value.split(";").pop().trim();
        if (q.length < 2) return;
        const url = `/api/terms?kind=${encodeURIComponent(input.dataset.termKind)}&q=${encodeURIComponent(q)}`;
        const answer = await fetch(url, { credentials: "same-origin" });
        if (!answer.ok) return;
        const body = await answer.json();
        const head = input.value.includes(";") ? input.value.slice(0, input.value.lastIndexOf(";") + 1) + " " : "";
        list.replaceChildren(...body.items.map((item) => {
          const option = document.createElement("option");
          option.value = head + item.label;
          return option;
        }));
      }, 150);
    });
  }
});
