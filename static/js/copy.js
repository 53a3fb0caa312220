// Copy buttons: <button data-copy="#some-id"> puts the text of the element it names on the
// clipboard (a UTM string, a tracking code). Delegated from the document, so it also works on
// content htmx swapped in.
(function () {
  function copyBySelection(source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    if (copied) selection.removeAllRanges();  // otherwise leave it selected, for Ctrl-C
    return copied;
  }
  function confirm(button, text) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = text;
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var text = source.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { confirm(button, "Copied"); },
        function () { confirm(button, copyBySelection(source) ? "Copied" : "Select and copy"); }
      );
    } else {
      confirm(button, copyBySelection(source) ? "Copied" : "Select and copy");
    }
  });
})();
