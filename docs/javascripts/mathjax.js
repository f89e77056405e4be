// MathJax 3 settings for pymdownx.arithmatex in "generic" mode: arithmatex
// wraps every formula in an element of class "arithmatex" with \( \) or \[ \]
// delimiters, so MathJax only needs to look inside those elements.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*",
    processHtmlClass: "arithmatex",
  },
};

// mkdocs-material may swap page content without a full reload; typeset the
// new content each time (document$ only exists under mkdocs-material).
if (typeof document$ !== "undefined") {
  document$.subscribe(function () {
    if (window.MathJax && window.MathJax.typesetPromise) {
      window.MathJax.typesetClear();
      window.MathJax.texReset();
      window.MathJax.typesetPromise();
    }
  });
}
