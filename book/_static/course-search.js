// Search ranking for the course: a lesson comes before the lab, glossary or
// reference page that mentions the same word, so "tmpfs" leads to the tmpfs
// lesson rather than to the glossary's one-paragraph definition. Loaded before
// Sphinx's searchtools.js, which keeps a Scorer that is already defined.
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    return /^book\/\d\d-/.test(docname) ? score + 1000 : score;
  },
  // Sphinx's defaults for everything else.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
