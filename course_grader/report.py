"""Feedback a student can read: one self-contained HTML page per submission, and an index.

``reports/<name>.html`` shows the score, then for each question its points,
one mark per test case, the first failing case and what differs, the mistake (or a hint)
the answer matches by name, the learner's own code for that answer, and the
written answers with the instructor's marks and comments. ``reports/index.html``
lists every submission for the instructor, with links.

Each page is one file with its style inline and no script (its
Content-Security-Policy forbids any), so it opens offline, from an e-mail
attachment or an LMS upload. Everything that comes from a submission is
HTML-escaped.
"""

import html
from pathlib import Path

from course_grader.written import page
from course_lib.grading import registry

STATUS_WORDS = {
    "passed": "passed", "partial": "partly right", "failed": "wrong", "error": "raised an error",
    "not implemented": "not implemented yet", "forbidden": "calls the function it should write",
    "missing": "not found",
}


def _points(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def report_html(record, row=None):
    """The page of one submission (``row``: its gradebook row, for the student and lateness)."""
    esc = html.escape
    student = row.student if row is not None else None
    file = Path(record["file"]).name
    who = f"<strong>{esc(student.name)} ({esc(student.student_id)})</strong> · " if student else ""
    total = row.total if row is not None else record["score"]
    head = [f"<h1>{esc(record.get('exercise') or 'Exercise')}</h1>",
            f"<p>{who}file <code>{esc(file)}</code>"
            f" · graded {esc(record.get('graded_at', ''))}</p>",
            f"<p style='font-size:1.4rem'>Score: <strong>{_points(total)}</strong> of "
            f"{_points(record.get('max_score', 0))} points</p>"]
    if row is not None and row.late_hours:
        head.append(f"<p class='note'>Submitted {row.late_hours:.1f} hours after the deadline.</p>")
    # for the instructor
    happened = [part for part in (record.get("status") or "").split("; ")
                if part not in ("", "ok") and not part.startswith("read cell")]
    if happened:
        head.append(f"<p class='note'>What happened while grading: {esc('; '.join(happened))}</p>")
    questions = record.get("questions", [])
    rows = "".join(
        f"<tr><td>{esc(q['id'])}</td><td>{esc(q['title'])}</td>"
        f"<td class='num'>{_points(q['score'])} / {_points(q['points'])}</td>"
        f"<td class='{'passed' if q['status'] == 'passed' else 'lost'}'>"
        f"{esc(STATUS_WORDS.get(q['status'], q['status']))}</td></tr>" for q in questions)
    head.append("<table><tr><th>Question</th><th>Title</th><th>Points</th><th>Result</th></tr>"
                f"{rows}</table>")
    answers = record.get("answers", {})
    for q in questions:
        head.append(_question_section(q, answers.get(q["id"])))
    for answer in record.get("written", []):
        head.append(_written_section(answer))
    head.append(f"<p class='none'>Test inputs from seed {esc(str(record.get('seed', '')))}"
                f" ({esc(record.get('seed_source', ''))}); the same notebook always gets the same "
                "score.</p>")
    title = f"{student.name} ({student.student_id})" if student else file
    return page(f"{record.get('exercise', '')} · {title}", "\n".join(head))


def _question_section(q, code):
    esc = html.escape
    share = q["points"] / max(len(q.get("cases", [])), 1)
    marks = " ".join(
        f"<span class='{'passed' if state == 'passed' else 'lost'}' "
        f"title='{esc(state)}'>{'✓' if state == 'passed' else '✗'} case {i}: {esc(state)}</span>"
        for i, state in enumerate(q.get("cases", []), 1))
    parts = [f"<section><h2>{esc(q['id'])} · {esc(q['title'])} — {_points(q['score'])} of "
             f"{_points(q['points'])} points</h2>"]
    count = len(q.get("cases", []))
    if q["status"] == "not implemented" or (marks and all(
            state == q["cases"][0] for state in q["cases"]) and q["status"] != "passed"):
        marks = f"<span class='lost'>✗ all {count} cases: {esc(q['cases'][0])}</span>"
    if marks:
        parts.append(f"<p>{marks} <span class='none'>({_points(share)} points per case)</span></p>")
    text, case = [], []  # the failing case and its inputs go in one block
    for detail in q.get("details", []):
        (case if detail.startswith(("Case", "  ")) else text).append(detail)
    parts += [f"<p>{esc(line)}</p>" for line in text]
    if case:
        parts.append(f"<pre>{esc(chr(10).join(line.strip() for line in case))}</pre>")
    if q.get("mistake"):
        parts.append(f"<p class='mistake'><strong>Likely mistake:</strong> {esc(q['mistake'])}</p>")
    elif q.get("hint"):  # what the wrong results look like, as check prints it
        parts.append(f"<p class='mistake'><strong>Hint:</strong> {esc(q['hint'])}</p>")
    if code:
        parts.append(f"<details open><summary>Your code</summary><pre>{esc(code)}</pre></details>")
    parts.append("</section>")
    return "".join(parts)


def _written_section(answer):
    esc = html.escape
    mark = answer.get("mark")
    title = f"Written answer {esc(answer['id'])} · {esc(answer.get('label', ''))}" + (
        f" — mark {_points(mark)}" if mark is not None else " — not marked yet")
    parts = [f"<section><h2>{title}</h2>"]
    if answer.get("prompt"):
        parts.append(f"<blockquote>{esc(answer['prompt'])}</blockquote>")
    parts.append(f"<pre>{esc(answer['answer'])}</pre>" if answer.get("answer")
                 else "<p class='none'>(no answer)</p>")
    if answer.get("comment"):
        parts.append(f"<p class='comment'><strong>Comment:</strong> {esc(answer['comment'])}</p>")
    parts.append("</section>")
    return "".join(parts)


def index_html(rows, names):
    """The instructor's list: one line per gradebook row, linking each graded one's report."""
    esc = html.escape
    lines = []
    for row in rows:
        record = row.record
        who = (f"{row.student.name} ({row.student.student_id})" if row.student
               else Path(record["file"]).name if record else "")
        link = (f"<a href='{esc(names[id(record)])}.html'>report</a>"
                if record is not None and id(record) in names else "")
        late = f"{row.late_hours:.1f} h" if row.late_hours else ""
        lines.append(f"<tr><td>{esc(who)}</td><td>{esc(row.exercise)}</td>"
                     f"<td class='num'>{_points(row.total)} / {_points(_max(row))}</td>"
                     f"<td>{esc(row.status)}</td>"
                     f"<td>{late}</td><td>{link}</td></tr>")
    body = ("<h1>Reports</h1><table><tr><th>Student</th><th>Exercise</th><th>Total</th>"
            f"<th>Status</th><th>Late</th><th></th></tr>{''.join(lines)}</table>")
    return page("Reports", body)


def _max(row):
    if row.record:
        return row.record.get("max_score", 0)
    try:
        return sum(q.points for q in registry.questions(row.exercise))
    except KeyError:
        return 0


def write_reports(out, rows, write):
    """reports/<name>.html for every graded row and reports/index.html → the index's path."""
    folder = Path(out) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for row in rows:
        if row.record is not None and id(row.record) not in names:
            names[id(row.record)] = row.record["name"]
            write(folder / f"{row.record['name']}.html", report_html(row.record, row))
    write(folder / "index.html", index_html(rows, names))
    return folder / "index.html"
