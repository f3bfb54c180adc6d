// The learner picker of the new-project form: search, "add all shown", clear, and a count.
// Without JavaScript the list and the "Every learner" box work as plain checkboxes.

for (const picker of document.querySelectorAll("[data-picker]")) {
  const tools = picker.querySelector("[data-picker-tools]");
  const search = picker.querySelector("[data-picker-search]");
  const list = picker.querySelector("[data-picker-list]");
  const none = picker.querySelector("[data-picker-none]");
  const count = picker.querySelector("[data-picker-count]");
  const all = picker.querySelector("[data-picker-all]");
  if (!tools || !list) continue;
  tools.hidden = false;

  const rows = [...list.querySelectorAll("li")];
  const boxes = rows.map((row) => row.querySelector("input[type=checkbox]"));

  const showCount = () => {
    const chosen = boxes.filter((box) => box.checked).length;
    count.textContent = all?.checked
      ? `Every learner (${boxes.length.toLocaleString()})`
      : `${chosen.toLocaleString()} of ${boxes.length.toLocaleString()} chosen`;
    picker.dataset.all = all?.checked ? "true" : "false";
  };

  const filter = () => {
    const words = search.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.search;
      row.hidden = !words.every((word) => text.includes(word));
      if (!row.hidden) shown += 1;
    }
    none.hidden = shown > 0;
  };

  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(filter, 120);
  });
  // Enter in the search box must not submit the project.
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  picker.querySelector("[data-picker-add]").addEventListener("click", () => {
    rows.forEach((row, i) => {
      if (!row.hidden) boxes[i].checked = true;
    });
    showCount();
  });
  picker.querySelector("[data-picker-clear]").addEventListener("click", () => {
    boxes.forEach((box) => {
      box.checked = false;
    });
    if (all) all.checked = false;
    showCount();
  });
  picker.addEventListener("change", showCount);
  showCount();
  // A search typed before this script ran, or restored by the browser on going back.
  if (search.value) filter();
}
