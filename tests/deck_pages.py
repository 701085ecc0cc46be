"""Waiting for a slide of a deck (tools/slides.py, nbconvert's reveal.js template) to be shown
as the room sees it, without fixed sleeps.

MathJax typesets a deck in waves (the whole deck, again when a lecture deck cuts its tall
slides), and when a slide is entered the template's "slidechanged" handler asks it to lay the
slide's formulas out again (MathJax.Hub.Rerender, outside MathJax's queue; the queue itself
can wait for ever on a typesetting request of the widget renderer), so neither a fixed sleep
nor the queue tells when a slide is ready. COUNT_LAYOUTS counts the layouts asked for and
finished; TYPESET tells whether every formula in an element is typeset (MathJax's state
PROCESSED, its output in the page); LAID_OUT waits until every layout asked for has finished
and the current slide is typeset (at most 10 s), then for two frames to be painted (the
lecture decks' ResizeObserver re-centres a slide before a frame).
"""

COUNT_LAYOUTS = """() => {
  const hub = window.MathJax && window.MathJax.Hub;
  if (!hub || hub.courseCounted) return;
  const rerender = hub.Rerender;
  hub.courseCounted = true;
  hub.courseAsked = 0;
  hub.courseDone = 0;
  hub.Rerender = function (element, callback) {
    hub.courseAsked += 1;
    return rerender.call(hub, element, function () {
      hub.courseDone += 1;
      if (callback) { window.MathJax.Callback(callback)(); }
    });
  };
}"""

TYPESET = """(root) => [...root.querySelectorAll('script[type^="math/tex"]')].every(
  (script) => script.MathJax && script.MathJax.state === window.MathJax.ElementJax.STATE.PROCESSED
    && document.getElementById(script.id + "-Frame"))"""

LAID_OUT = f"""async () => {{
  const hub = window.MathJax && window.MathJax.Hub;
  if (hub) {{
    const started = performance.now();
    const ready = () => (!hub.courseCounted || hub.courseDone >= hub.courseAsked)
      && ({TYPESET})(window.Reveal.getCurrentSlide());
    await new Promise(done => {{
      const check = () => (ready() || performance.now() - started > 10000)
        ? done() : setTimeout(check, 10);
      check();
    }});
  }}
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}}"""

# Slide (h, v) with every fragment shown, laid out.
SHOW_SLIDE = f"""async ([h, v]) => {{
  ({COUNT_LAYOUTS})();
  window.Reveal.slide(h, v, 99);
  await ({LAID_OUT})();
}}"""
