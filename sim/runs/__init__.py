"""The run machinery: everything that runs the world and writes down what happened.

- `runner`: one run (`run_model`, `run_to_folder`, `run_scenario`);
- `outputs`: a finished model's tables and the files of `ree run`; `report`: its `report.html`;
- `aggregates`: outcomes computed over a run's tables (for sweeps);
- `sweep`, `sweep_store`, `dask_cluster`, `sweep_report`: batch sweeps on Dask and their report;
- `validation`: the model against history (`ree validation`).

It may import the world (`sim` and `agents`); the world never imports it.
"""
