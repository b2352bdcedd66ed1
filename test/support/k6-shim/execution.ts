// A minimal k6/execution: the test sets which VU and which iteration of which scenario runs.
export default {
  vu: { idInTest: 1 },
  scenario: { name: 'measure', iterationInTest: 0 },
};
