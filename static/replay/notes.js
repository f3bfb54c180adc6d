// Notes pinned to moments (replay/notes.py, docs/replay.md "Notes"): a teacher writes a note at
// the current moment; the notes list under the timeline (a click on the moment goes there), and
// each one is a mark on the timeline over the plot, placed like the playhead (no plotly redraw).
// Edited and deleted in place. The page gives this module its clock through `hooks`.

import { formatClock } from "../js/format.js";

const $ = (id) => document.getElementById(id);

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] ?? "";
  } catch {
    return "";
  }
}

async function send(url, method, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `the server answered ${response.status}`);
  return answer;
}

/**
 * hooks: current() → play time now; seek(ms) → go there; placeOf(ms) → x px over the chart box or
 * null when outside the plot (after each draw); top() → y px of the plot's top.
 */
export function setupNotes(initial, hooks) {
  const section = document.querySelector(".replay-notes");
  if (!section) return { enable() {}, placeMarks() {}, moved() {} };
  const url = section.dataset.url;
  const form = $("replay-note-form");
  const text = $("replay-note-text");
  const add = $("replay-note-add");
  const at = $("replay-note-at");
  const problem = $("replay-note-problem");
  const list = $("replay-notes");
  const empty = $("replay-notes-empty");
  const marks = $("replay-note-marks");
  let notes = [...initial].sort((a, b) => a.at - b.at || a.id - b.id);

  function showProblem(message) {
    problem.hidden = !message;
    problem.textContent = message || "";
  }

  function render() {
    list.replaceChildren(...notes.map(item));
    empty.hidden = notes.length > 0;
    section.dataset.count = String(notes.length);
    placeMarks();
  }

  function item(note) {
    const li = document.createElement("li");
    li.className = "replay-note";
    li.dataset.id = String(note.id);
    const go = Object.assign(document.createElement("button"), { type: "button", className: "link-button replay-note__at", textContent: note.clock });
    go.setAttribute("aria-label", `Go to ${note.clock}`);
    go.addEventListener("click", () => hooks.seek(note.at));
    const body = Object.assign(document.createElement("p"), { className: "replay-note__text", textContent: note.text });
    const meta = Object.assign(document.createElement("div"), { className: "replay-note__meta" });
    const edit = Object.assign(document.createElement("button"), { type: "button", className: "button button--small", textContent: "Edit" });
    const remove = Object.assign(document.createElement("button"), { type: "button", className: "button button--small", textContent: "Delete" });
    meta.append(note.author ? `by ${note.author}` : "", edit, remove);
    edit.addEventListener("click", () => startEdit(li, note));
    remove.addEventListener("click", async () => {
      try {
        await send(note.url, "DELETE");
        notes = notes.filter((other) => other.id !== note.id);
        render();
      } catch (error) {
        showProblem(`The note could not be deleted: ${error.message}.`);
      }
    });
    li.append(go, body, meta);
    return li;
  }

  function startEdit(li, note) {
    const area = Object.assign(document.createElement("textarea"), { value: note.text, maxLength: 500, rows: 2 });
    area.setAttribute("aria-label", `Note at ${note.clock}`);
    const save = Object.assign(document.createElement("button"), { type: "button", className: "button button--small", textContent: "Save" });
    const cancel = Object.assign(document.createElement("button"), { type: "button", className: "button button--small", textContent: "Cancel" });
    li.querySelector(".replay-note__text").replaceWith(area);
    li.querySelector(".replay-note__meta").replaceChildren(save, cancel);
    area.focus();
    cancel.addEventListener("click", render);
    save.addEventListener("click", async () => {
      try {
        const changed = await send(note.url, "POST", { text: area.value });
        notes = notes.map((other) => (other.id === changed.id ? changed : other));
        showProblem("");
        render();
      } catch (error) {
        showProblem(`The note could not be saved: ${error.message}.`);
      }
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    add.disabled = true;
    try {
      const note = await send(url, "POST", { at: hooks.current(), text: text.value });
      notes = [...notes, note].sort((a, b) => a.at - b.at || a.id - b.id);
      text.value = "";
      showProblem("");
      render();
    } catch (error) {
      showProblem(`The note could not be added: ${error.message}.`);
    } finally {
      add.disabled = false;
    }
  });

  function placeMarks() {
    if (!marks) return;
    marks.style.top = `${hooks.top() - 7}px`;
    marks.replaceChildren(
      ...notes.flatMap((note) => {
        const x = hooks.placeOf(note.at);
        if (x === null) return [];
        const mark = Object.assign(document.createElement("button"), { type: "button", className: "replay-note-mark" });
        mark.style.left = `${x.toFixed(1)}px`;
        mark.title = `Note at ${note.clock}: ${note.text}`;
        mark.setAttribute("aria-label", `Go to the note at ${note.clock}`);
        mark.dataset.at = String(note.at);
        mark.addEventListener("click", () => hooks.seek(note.at));
        return [mark];
      }),
    );
  }

  render();
  return {
    enable() {
      text.disabled = false;
      add.disabled = false;
    },
    placeMarks,
    moved(current) {
      at.textContent = formatClock(current);
    },
  };
}
