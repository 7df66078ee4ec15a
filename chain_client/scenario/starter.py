"""The commented starter file written by `scf scenario new`."""

STARTER = """\
# An scf scenario: named accounts, optional role grants, then steps run in order.
# Validate with `scf scenario check FILE`; run with `scf scenario run FILE`.
# Amounts and addresses are quoted strings ("1200000.00", "0x…"); identifiers are at most
# 31 bytes. Every block is stamped from the scenario's clock: `start`, plus `block_time`
# seconds per block, plus each `time.advance`.
name: my scenario
start: 2030-01-01T00:00:00Z
block_time: 12
accounts:            # built in: admin, registrar, rater, oracle, reviewer
  funder: 5          # a test-account index, or a quoted address
  owner: 6
  supplier: 7
  bank: 8
  substitute: 9
# roles: {oracle: [funder]}      # extra role grants, sent by the admin
steps:
  - token.mint:        {to: funder, amount: "1000000.00"}             # by admin
  - token.mint:        {to: bank, amount: "500000.00"}
  - supplier.register: {account: supplier, name: "Supplier", parts: [PART_X], capacity: "400000.00", score: 800}
  - supplier.register: {account: substitute, name: "Substitute", parts: [PART_X], capacity: "400000.00", score: 720}
  - supplier.qualify:  {part: PART_X, substitute: substitute, lead_time: 45d}          # sent by the substitute itself
  - project.create:    {id: MY-PROJECT, owner: owner, budget: {MATERIALS: "800000.00"},
                        milestones: [{stage: RESEARCH, amount: "800000.00"}]}
  - project.fund:      {project: MY-PROJECT, by: funder, amount: "800000.00"}   # funders use by:
  - milestone.approve: {project: MY-PROJECT, milestone: 0, evidence: "kick-off report"}  # by reviewer
  - project.disburse:  {project: MY-PROJECT, to: supplier, amount: "100000.00", category: MATERIALS, milestone: 0}
  - expect:            {event: FundsDisbursed, to: supplier, amount: "100000.00"}
  - pool.deposit:      {by: bank, amount: "500000.00"}
  - order.register:    {project: MY-PROJECT, part: PART_X, supplier: supplier, value: "200000.00",
                        category: MATERIALS, milestone: 0, due: 60d, po: "PO-0001"}
    as: first_order                                                    # a handle for later steps
  - disruption.report: {supplier: supplier, reason: FIRE}               # by oracle
  - expect:            {event: SubstituteFinanced, to: substitute}
  - time.advance:      30d
  - order.record_delivery: {order: first_order, evidence: "delivery note"}  # by the substitute
  - order.accept_delivery: {order: first_order}                         # by the project owner
  - order.settle:      {order: first_order}                             # anyone; the pool first
  - expect:            {project: MY-PROJECT, reserved: "0.00"}
  - project.disburse:  {project: MY-PROJECT, to: supplier, amount: "1.00", category: MATERIALS, milestone: 0}
    expect_error: LedgerPayeeNotEligible                                # the supplier is Disrupted
  - audit:             {expect: clean}
"""
