// Destructive steps ask first: a form, or the button that submits it, carrying
// data-confirm="question" is sent only once the person agrees.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
