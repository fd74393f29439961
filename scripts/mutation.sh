#!/bin/sh
# Mutation testing of the rule code: mutate the files [tool.mutmut] in pyproject.toml
# names, run the targeted tests against every mutant and print the counts.
# Needs the "mutation" extra (pip install -e ".[mutation]"). One worker by default;
# pass another number to use more cores: scripts/mutation.sh 2
set -eu
cd "$(dirname "$0")/.."
rm -rf mutants
# mutmut puts mutants/ first on sys.path; a PYTHONPATH naming this checkout is not needed.
unset PYTHONPATH
# The same Hypothesis examples for every mutant (tests/conftest.py).
export HYPOTHESIS_PROFILE=mutation
start=$(date +%s)
mutmut run --max-children "${1:-1}"
end=$(date +%s)
mutmut export-cicd-stats
cat mutants/mutmut-cicd-stats.json
echo
echo "wall time: $((end - start)) s"
