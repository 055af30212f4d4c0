#!/usr/bin/env python3
"""Generate the IntelliCV sample data set under data/samples/.

Everything here is invented: people, companies, schools, phone numbers (reserved
fictional ranges) and e-mail addresses (example.com / example.org). Only city names
and their coordinates are real.

Usage:
    python3 scripts/make_samples.py            # (re)write data/samples/
    python3 scripts/make_samples.py --out DIR  # write elsewhere
    python3 scripts/make_samples.py --check    # regenerate into a temp dir and
                                               # compare with data/samples/

The output is deterministic: the same script always writes byte-identical files.
Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import csv
import filecmp
import html
import io
import json
import os
import random
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

SEED = 20260101
YEAR = 2026
# The last month a resume's current role is counted up to.
RESUME_AS_OF = date(2026, 9, 1)

# --------------------------------------------------------------------------------------
# Places (real cities, real coordinates; postcodes are generic central ones)
# --------------------------------------------------------------------------------------

CITIES = {
    "London": ("GB", 51.5074, -0.1278, "EC1A 1BB"),
    "Manchester": ("GB", 53.4808, -2.2426, "M1 1AE"),
    "Leeds": ("GB", 53.8008, -1.5491, "LS1 4AP"),
    "Edinburgh": ("GB", 55.9533, -3.1883, "EH1 1YZ"),
    "Birmingham": ("GB", 52.4862, -1.8904, "B1 1BB"),
    "Bristol": ("GB", 51.4545, -2.5879, "BS1 4DJ"),
    "Glasgow": ("GB", 55.8642, -4.2518, "G1 1XQ"),
    "Cambridge": ("GB", 52.2053, 0.1218, "CB2 1TN"),
    "Dublin": ("IE", 53.3498, -6.2603, "D02 F205"),
    "Berlin": ("DE", 52.5200, 13.4050, "10115"),
    "Munich": ("DE", 48.1351, 11.5820, "80331"),
    "Amsterdam": ("NL", 52.3676, 4.9041, "1012 JS"),
    "Paris": ("FR", 48.8566, 2.3522, "75002"),
    "New York": ("US", 40.7128, -74.0060, "10001"),
    "San Francisco": ("US", 37.7749, -122.4194, "94105"),
    "Austin": ("US", 30.2672, -97.7431, "78701"),
    "Seattle": ("US", 47.6062, -122.3321, "98101"),
    "Chicago": ("US", 41.8781, -87.6298, "60601"),
    "Toronto": ("CA", 43.6532, -79.3832, "M5V 2T6"),
    "Vancouver": ("CA", 49.2827, -123.1207, "V6B 1A1"),
}
US_STATES = {"New York": "NY", "San Francisco": "CA", "Austin": "TX", "Seattle": "WA", "Chicago": "IL"}
CA_PROVINCES = {"Toronto": "ON", "Vancouver": "BC"}
COUNTRY_NAMES = {
    "GB": "United Kingdom",
    "IE": "Ireland",
    "DE": "Germany",
    "NL": "Netherlands",
    "FR": "France",
    "US": "USA",
    "CA": "Canada",
}
CURRENCY = {"GB": "GBP", "IE": "EUR", "DE": "EUR", "NL": "EUR", "FR": "EUR", "US": "USD", "CA": "CAD"}
# Rough multiplier from a London-ish annual GBP figure to local currency.
PAY_SCALE = {"GB": 1.0, "IE": 1.15, "DE": 1.1, "NL": 1.1, "FR": 1.0, "US": 1.45, "CA": 1.5}
REMOTE_REGIONS = [("Remote (UK)", "GB"), ("Remote (US)", "US"), ("Remote (Europe)", None), ("Remote", None)]

# --------------------------------------------------------------------------------------
# Professions
# --------------------------------------------------------------------------------------

LEVELS = ["intern", "junior", "mid", "senior", "lead", "executive"]


@dataclass
class Profession:
    key: str
    label: str
    titles: dict  # level -> list of titles
    skills: list  # realistic skill names, most central first
    companies: list
    company_blurb: str
    team: str
    degrees: list  # (studyType, area)
    certs: list  # (name, issuer)
    bullets: list  # templates with {s} (skill) and {n} (number)
    duties: list  # job responsibilities with {s}
    fixed_requirements: list = field(default_factory=list)
    cities: list = field(default_factory=list)
    base_salary: int = 40000  # GBP per year at "mid"
    hourly: bool = False  # whether part-time / temporary roles are paid by the hour


P = {}


def prof(**kw):
    p = Profession(**kw)
    P[p.key] = p
    return p


TECH_CITIES = ["London", "Manchester", "Edinburgh", "Bristol", "Berlin", "Amsterdam", "Dublin",
               "New York", "San Francisco", "Austin", "Seattle", "Toronto", "Cambridge"]
UK_CITIES = ["London", "Manchester", "Leeds", "Edinburgh", "Birmingham", "Bristol", "Glasgow"]
GENERAL_CITIES = UK_CITIES + ["Dublin", "Toronto", "Vancouver", "New York", "Chicago", "Paris", "Berlin"]

TECH_BULLETS = [
    "Designed and built {s} services handling {n} million requests per day",
    "Reduced p99 latency by {p}% by profiling and rewriting hot paths in {s}",
    "Led the migration of a monolith to {s}-based services with zero downtime",
    "Introduced {s} to the team and wrote the internal onboarding guide",
    "Automated deployments with {s}, cutting release time from days to {n} minutes",
    "Mentored {n} engineers and ran weekly code reviews focused on {s}",
    "Owned on-call for the payments platform; improved alerting with {s}",
    "Built an internal tool in {s} used by {n}0 colleagues every day",
]
TECH_DUTIES = [
    "Design, build and operate backend services in {s}",
    "Write well-tested code and review your colleagues' pull requests",
    "Work with product managers to shape features from idea to production",
    "Improve observability, reliability and performance of services built with {s}",
    "Take part in a fair on-call rotation (one week in six)",
    "Help us evolve our infrastructure on {s}",
    "Mentor other engineers and share knowledge through pairing and docs",
]

prof(
    key="rust", label="Rust backend engineering",
    titles={"intern": ["Software Engineering Intern"],
            "junior": ["Junior Rust Developer", "Graduate Software Engineer"],
            "mid": ["Rust Engineer", "Backend Engineer (Rust)", "Software Engineer"],
            "senior": ["Senior Rust Engineer", "Senior Backend Engineer", "Senior Systems Engineer (Rust)"],
            "lead": ["Lead Backend Engineer (Rust)", "Staff Software Engineer", "Principal Engineer"],
            "executive": ["Head of Engineering", "VP of Engineering"]},
    skills=["Rust", "Tokio", "PostgreSQL", "SQL", "Docker", "Kubernetes", "AWS", "Linux", "gRPC",
            "REST APIs", "Kafka", "Redis", "Terraform", "CI/CD", "WebAssembly", "C++", "Python",
            "Prometheus", "Axum", "Git"],
    companies=["Ferrolite Systems", "Crabtree Labs", "Oxbow Networks", "Quillstone Data",
               "Brightwater Payments", "Kestrel Robotics", "Lumen Edge"],
    company_blurb="a fast-growing infrastructure company building low-latency data services",
    team="platform team", cities=TECH_CITIES, base_salary=70000,
    degrees=[("BSc", "Computer Science"), ("MEng", "Software Engineering"), ("BSc", "Mathematics"),
             ("MSc", "Distributed Systems")],
    certs=[("AWS Certified Solutions Architect - Associate", "Amazon Web Services"),
           ("Certified Kubernetes Application Developer (CKAD)", "Cloud Native Computing Foundation")],
    bullets=TECH_BULLETS, duties=TECH_DUTIES,
)
prof(
    key="go", label="Go / platform engineering",
    titles={"intern": ["Infrastructure Intern"],
            "junior": ["Junior DevOps Engineer", "Junior Go Developer"],
            "mid": ["Platform Engineer (Go)", "Site Reliability Engineer", "DevOps Engineer", "Go Developer"],
            "senior": ["Senior Site Reliability Engineer", "Senior Platform Engineer", "Senior Go Engineer"],
            "lead": ["Lead Platform Engineer", "SRE Team Lead", "Staff Infrastructure Engineer"],
            "executive": ["Director of Infrastructure", "Head of Platform"]},
    skills=["Go", "Kubernetes", "Docker", "Terraform", "AWS", "GCP", "Helm", "Prometheus", "Grafana",
            "Linux", "PostgreSQL", "CI/CD", "GitHub Actions", "Ansible", "Bash", "gRPC", "Istio",
            "Kafka", "Python"],
    companies=["Harbourline Cloud", "Nimbus Forge", "Greystone Hosting", "Pinecrest Logistics Tech",
               "Tidewater Telecom", "Cobalt Mesh"],
    company_blurb="a cloud infrastructure provider running thousands of containers for its customers",
    team="site reliability team", cities=TECH_CITIES, base_salary=68000,
    degrees=[("BSc", "Computer Science"), ("BEng", "Electronic Engineering"), ("BSc", "Physics")],
    certs=[("Certified Kubernetes Administrator (CKA)", "Cloud Native Computing Foundation"),
           ("HashiCorp Certified: Terraform Associate", "HashiCorp"),
           ("Google Professional Cloud Architect", "Google Cloud")],
    bullets=TECH_BULLETS, duties=TECH_DUTIES,
)
prof(
    key="python", label="Python backend engineering",
    titles={"intern": ["Software Developer Intern"],
            "junior": ["Junior Python Developer", "Graduate Developer"],
            "mid": ["Python Developer", "Backend Engineer (Python/Django)", "Software Engineer"],
            "senior": ["Senior Python Engineer", "Senior Backend Developer"],
            "lead": ["Lead Python Engineer", "Engineering Team Lead"],
            "executive": ["CTO", "Director of Engineering"]},
    skills=["Python", "Django", "FastAPI", "Flask", "PostgreSQL", "SQL", "Redis", "Celery", "Docker",
            "AWS", "REST APIs", "pytest", "Git", "Kubernetes", "Linux", "GraphQL", "Elasticsearch"],
    companies=["Juniper Health Tech", "Marlow Insurance Digital", "Copperleaf Software",
               "Fernhill Retail Tech", "Westgate Learning"],
    company_blurb="a product company whose web platform is used by two million customers",
    team="backend team", cities=TECH_CITIES, base_salary=60000,
    degrees=[("BSc", "Computer Science"), ("BSc", "Information Systems"), ("BA", "Philosophy")],
    certs=[("AWS Certified Developer - Associate", "Amazon Web Services")],
    bullets=TECH_BULLETS, duties=TECH_DUTIES,
)
prof(
    key="frontend", label="Frontend engineering",
    titles={"intern": ["Frontend Intern"],
            "junior": ["Junior Frontend Developer", "Junior Web Developer"],
            "mid": ["Frontend Developer (React)", "Frontend Engineer", "Full Stack Developer"],
            "senior": ["Senior Frontend Engineer", "Senior React Developer"],
            "lead": ["Lead Frontend Engineer"],
            "executive": ["Head of Frontend"]},
    skills=["JavaScript", "TypeScript", "React", "Next.js", "HTML", "CSS", "Redux", "Jest", "GraphQL",
            "Node.js", "Webpack", "accessibility", "Figma", "Cypress"],
    companies=["Bramble Commerce", "Silverbirch Media", "Quayside Travel Tech", "Redfern Apps"],
    company_blurb="an e-commerce platform serving independent shops",
    team="web team", cities=TECH_CITIES, base_salary=58000,
    degrees=[("BSc", "Computer Science"), ("BA", "Interactive Media"), ("BSc", "Web Development")],
    certs=[("Meta Front-End Developer Certificate", "Meta")],
    bullets=TECH_BULLETS, duties=TECH_DUTIES,
)
prof(
    key="data", label="Data science",
    titles={"intern": ["Data Science Intern"],
            "junior": ["Junior Data Analyst", "Graduate Data Scientist"],
            "mid": ["Data Scientist", "Machine Learning Engineer", "Data Analyst"],
            "senior": ["Senior Data Scientist", "Senior Machine Learning Engineer"],
            "lead": ["Lead Data Scientist", "Principal Data Scientist"],
            "executive": ["Head of Data Science", "Director of Data"]},
    skills=["Python", "SQL", "machine learning", "pandas", "scikit-learn", "statistics", "NumPy",
            "PyTorch", "TensorFlow", "Spark", "Tableau", "Power BI", "A/B testing", "deep learning",
            "NLP", "Airflow", "dbt", "R", "data visualisation", "AWS"],
    companies=["Lumen Analytics", "Kingsport Insights", "Oakridge Retail Group", "Northgate Bank",
               "Thistle Energy", "Orbital Mobility"],
    company_blurb="a data-driven business that turns millions of transactions into decisions",
    team="data science team", cities=TECH_CITIES, base_salary=62000,
    degrees=[("MSc", "Statistics"), ("BSc", "Mathematics"), ("PhD", "Computational Physics"),
             ("MSc", "Data Science"), ("BSc", "Economics")],
    certs=[("TensorFlow Developer Certificate", "Google"),
           ("Databricks Certified Data Engineer Associate", "Databricks")],
    bullets=[
        "Built a {s} churn model that lifted retention by {p}%",
        "Designed and analysed {n} A/B tests a quarter with product teams",
        "Productionised {s} pipelines processing {n} million rows a day",
        "Created {s} dashboards used by the executive team every week",
        "Introduced {s} best practice and code review for analysts",
        "Cut model training time by {p}% by moving feature engineering to {s}",
    ],
    duties=[
        "Build, validate and deploy models with {s}",
        "Work with engineers to put models into production",
        "Explain results clearly to non-technical stakeholders",
        "Design experiments and analyse their results with {s}",
        "Maintain reliable data pipelines in {s}",
    ],
)
prof(
    key="nursing", label="Nursing and healthcare",
    titles={"intern": ["Student Nurse Placement"],
            "junior": ["Healthcare Assistant", "Newly Qualified Staff Nurse"],
            "mid": ["Staff Nurse", "Registered Nurse - Adult Ward", "Community Nurse"],
            "senior": ["Senior Staff Nurse", "Charge Nurse", "Emergency Department Sister"],
            "lead": ["Ward Manager", "Clinical Nurse Specialist", "Matron"],
            "executive": ["Director of Nursing", "Head of Nursing"]},
    skills=["patient care", "wound care", "medication administration", "patient assessment",
            "care planning", "infection control", "IV therapy", "venepuncture", "safeguarding",
            "basic life support", "electronic health records", "triage", "palliative care",
            "catheterisation", "phlebotomy", "clinical governance", "mentoring students"],
    companies=["Westmere Health Trust", "St Aldric's Hospital", "Kingsbridge Community Care",
               "Riverside Care Homes", "Hollybank Hospice", "Northfield Medical Centre"],
    company_blurb="a busy healthcare provider caring for patients across the region",
    team="ward team", cities=UK_CITIES + ["Dublin", "Toronto"], base_salary=36000, hourly=True,
    degrees=[("BSc", "Adult Nursing"), ("BSc", "Nursing"), ("Diploma", "Health and Social Care"),
             ("MSc", "Advanced Clinical Practice")],
    certs=[("NMC Registered Nurse (Adult)", "Nursing and Midwifery Council"),
           ("Immediate Life Support", "Resuscitation Council UK"),
           ("Mentorship in Practice", "University of Westmere")],
    bullets=[
        "Delivered high-quality {s} for up to {n} patients per shift on a busy ward",
        "Led {s} audits and improved compliance scores to {p}%",
        "Supported and assessed {n} student nurses, including {s}",
        "Took charge of the ward on {n} shifts a month, coordinating {s}",
        "Introduced a new {s} pathway that reduced incidents by {p}%",
    ],
    duties=[
        "Provide safe, compassionate {s} to adult patients",
        "Assess, plan and evaluate care, keeping accurate records",
        "Work closely with doctors, therapists and families",
        "Supervise healthcare assistants and support students",
        "Maintain standards in {s} at all times",
    ],
    fixed_requirements=["Current NMC registration as an Adult Nurse"],
)
prof(
    key="accounting", label="Accounting and finance",
    titles={"intern": ["Finance Intern"],
            "junior": ["Accounts Assistant", "Assistant Accountant", "Accounts Payable Clerk"],
            "mid": ["Management Accountant", "Financial Accountant", "Payroll Specialist"],
            "senior": ["Senior Management Accountant", "Senior Financial Accountant", "Finance Business Partner"],
            "lead": ["Finance Manager", "Financial Controller"],
            "executive": ["Finance Director", "Chief Financial Officer"]},
    skills=["IFRS", "month-end close", "management accounts", "financial reporting", "budgeting",
            "forecasting", "VAT returns", "reconciliations", "Excel", "Sage", "Xero", "SAP", "payroll",
            "accounts payable", "accounts receivable", "audit", "UK GAAP", "variance analysis",
            "cash flow management"],
    companies=["Greystone Accountancy", "Marlow & Finch LLP", "Brightwater Holdings",
               "Oakridge Manufacturing", "Copperleaf Group", "Harrow Lane Partners"],
    company_blurb="a well-established group with operations in six countries",
    team="finance team", cities=UK_CITIES + ["Dublin", "Toronto", "New York"], base_salary=45000,
    degrees=[("BA", "Accounting and Finance"), ("BSc", "Economics"), ("BA", "Business Studies")],
    certs=[("ACCA", "Association of Chartered Certified Accountants"),
           ("CIMA Certificate in Business Accounting", "CIMA"),
           ("AAT Level 4", "Association of Accounting Technicians")],
    bullets=[
        "Prepared monthly {s} for {n} entities with a combined turnover of {n}0 million",
        "Shortened the month-end close from {n} to 5 working days by automating {s}",
        "Owned {s} and liaised with external auditors",
        "Built the annual budget and rolling forecasts using {s}",
        "Implemented {s}, saving roughly {p} hours a month",
    ],
    duties=[
        "Prepare {s} and commentary for the leadership team",
        "Own balance sheet reconciliations and month-end close",
        "Support the annual audit and statutory accounts under {s}",
        "Partner with budget holders on {s}",
        "Improve finance processes and systems",
    ],
    fixed_requirements=["ACCA, CIMA or ACA qualified (or finalist)"],
)
prof(
    key="teaching", label="Teaching and education",
    titles={"intern": ["Trainee Teacher"],
            "junior": ["Early Career Teacher", "Teaching Assistant"],
            "mid": ["Secondary Mathematics Teacher", "Primary Teacher", "Science Teacher"],
            "senior": ["Head of Science", "Head of Mathematics", "Senior Teacher"],
            "lead": ["Assistant Headteacher", "Deputy Headteacher"],
            "executive": ["Headteacher", "Executive Principal"]},
    skills=["lesson planning", "classroom management", "curriculum development", "differentiation",
            "safeguarding", "assessment", "SEN support", "behaviour management", "GCSE", "A-level",
            "mathematics", "science", "phonics", "pastoral care", "Google Classroom",
            "parent communication", "EAL"],
    companies=["Oakridge Academy", "St Brannock's Primary School", "Westfield High School",
               "Kingsmead College", "Hazelgrove School", "Lindenway Academy Trust"],
    company_blurb="a friendly, oversubscribed school rated Good with outstanding features",
    team="department", cities=UK_CITIES + ["Dublin", "Toronto"], base_salary=38000, hourly=True,
    degrees=[("PGCE", "Secondary Mathematics"), ("BEd", "Primary Education"), ("BSc", "Biology"),
             ("BA", "English Literature"), ("MA", "Education Leadership")],
    certs=[("Qualified Teacher Status (QTS)", "Department for Education"),
           ("NPQSL", "Department for Education"), ("Designated Safeguarding Lead training", "Local Authority")],
    bullets=[
        "Planned and delivered engaging lessons to classes of up to {n}0 pupils using {s}",
        "Raised GCSE pass rates in the department by {p}% through better {s}",
        "Led whole-school training on {s} for {n} colleagues",
        "Coordinated {s} for pupils with additional needs",
        "Introduced {s} across Key Stage 3",
    ],
    duties=[
        "Plan and teach well-structured lessons with strong {s}",
        "Assess pupils' progress and give effective feedback",
        "Contribute to {s} across the department",
        "Promote high standards of behaviour and safeguarding",
        "Work with parents and colleagues to support every pupil",
    ],
    fixed_requirements=["Qualified Teacher Status (QTS)"],
)
prof(
    key="sales", label="Sales and marketing",
    titles={"intern": ["Marketing Intern"],
            "junior": ["Sales Development Representative", "Digital Marketing Executive", "Marketing Assistant"],
            "mid": ["Account Executive", "Marketing Manager", "SEO Specialist", "Account Manager"],
            "senior": ["Senior Account Manager", "Senior Marketing Manager", "Enterprise Account Executive"],
            "lead": ["Head of Marketing", "Sales Manager"],
            "executive": ["Sales Director", "Chief Marketing Officer"]},
    skills=["B2B sales", "lead generation", "account management", "CRM", "Salesforce", "HubSpot",
            "negotiation", "pipeline management", "SEO", "PPC", "Google Ads", "Google Analytics",
            "content marketing", "social media marketing", "email marketing", "copywriting",
            "market research", "brand management", "cold calling"],
    companies=["Brightline Media", "Kestrel Software", "Quayside Brands", "Pinecrest SaaS",
               "Redfern Consumer Goods", "Lumen Events"],
    company_blurb="a growing B2B software company selling to mid-sized businesses",
    team="commercial team", cities=GENERAL_CITIES, base_salary=42000,
    degrees=[("BA", "Marketing"), ("BA", "Business Management"), ("BA", "Communications")],
    certs=[("Google Ads Search Certification", "Google"),
           ("HubSpot Inbound Marketing", "HubSpot Academy"),
           ("CIM Diploma in Professional Marketing", "Chartered Institute of Marketing")],
    bullets=[
        "Exceeded annual quota by {p}% through disciplined {s}",
        "Grew inbound leads by {p}% with a new {s} programme",
        "Managed a portfolio of {n}0 key accounts worth {n} million a year",
        "Rolled out {s} and trained {n} colleagues to use it",
        "Launched campaigns across {s} with a {n}x return on ad spend",
    ],
    duties=[
        "Own the full sales cycle from {s} to close",
        "Plan and run campaigns across {s}",
        "Keep the CRM accurate and forecast reliably",
        "Work with product and customer success to grow accounts",
        "Report on performance and suggest improvements",
    ],
)
prof(
    key="chef", label="Chef and hospitality",
    titles={"intern": ["Kitchen Apprentice"],
            "junior": ["Commis Chef", "Commis Pastry Chef", "Front of House Team Member"],
            "mid": ["Chef de Partie", "Pastry Chef", "Restaurant Supervisor"],
            "senior": ["Sous Chef", "Restaurant Manager", "Front Office Manager"],
            "lead": ["Head Chef", "General Manager"],
            "executive": ["Executive Chef", "Director of Food and Beverage"]},
    skills=["food preparation", "food safety", "HACCP", "menu planning", "kitchen management",
            "stock control", "cost control", "allergen management", "pastry", "butchery",
            "fine dining", "banqueting", "rota planning", "supplier management", "customer service",
            "team leadership", "front of house"],
    companies=["The Copper Kettle", "Harbour View Hotel", "Bramble & Thyme", "The Gilded Fern",
               "Quayside Kitchen", "Saltmarsh Brasserie", "Linden House Hotel"],
    company_blurb="an independent restaurant group with a strong local following",
    team="kitchen brigade", cities=UK_CITIES + ["Dublin", "Paris", "New York", "Toronto"],
    base_salary=32000, hourly=True,
    degrees=[("NVQ Level 3", "Professional Cookery"), ("Diploma", "Culinary Arts"),
             ("BA", "Hospitality Management")],
    certs=[("Level 3 Food Safety and Hygiene", "Highfield"), ("Level 2 Food Hygiene", "CIEH"),
           ("Personal Licence Holder", "Local Authority")],
    bullets=[
        "Ran the {s} section for {n}0 covers a night",
        "Designed seasonal menus with a strong focus on {s}",
        "Cut food waste by {p}% through better {s}",
        "Trained {n} junior chefs in {s}",
        "Achieved a 5-star food hygiene rating by tightening {s}",
    ],
    duties=[
        "Lead the kitchen during service with a focus on {s}",
        "Maintain the highest standards of {s}",
        "Order stock and manage suppliers",
        "Train and develop junior members of the team",
        "Create dishes for seasonal menus",
    ],
    fixed_requirements=["Level 2 Food Hygiene certificate"],
)
prof(
    key="hr", label="Human resources",
    titles={"intern": ["HR Intern"],
            "junior": ["HR Assistant", "Recruitment Coordinator", "HR Administrator"],
            "mid": ["HR Advisor", "Talent Acquisition Partner", "Learning and Development Advisor"],
            "senior": ["Senior HR Business Partner", "HR Business Partner", "Senior Recruiter"],
            "lead": ["HR Manager", "Head of Talent"],
            "executive": ["HR Director", "Chief People Officer"]},
    skills=["employee relations", "recruitment", "onboarding", "performance management", "HRIS",
            "Workday", "payroll", "employment law", "talent acquisition", "learning and development",
            "absence management", "disciplinary and grievance", "compensation and benefits",
            "workforce planning", "diversity and inclusion", "change management", "TUPE"],
    companies=["Fernhill People Services", "Oakridge Manufacturing", "Silverbirch Retail",
               "Northgate Bank", "Westmere Health Trust", "Tidewater Telecom"],
    company_blurb="an employer of 3,000 people that takes its culture seriously",
    team="people team", cities=GENERAL_CITIES, base_salary=44000,
    degrees=[("BA", "Human Resource Management"), ("BSc", "Psychology"), ("BA", "Business Management")],
    certs=[("CIPD Level 5 Associate Diploma", "CIPD"), ("CIPD Level 7", "CIPD"),
           ("Mental Health First Aider", "MHFA England")],
    bullets=[
        "Advised managers on {s} cases across a {n}00-person business",
        "Reduced time-to-hire by {p}% by redesigning {s}",
        "Implemented {s} for {n} sites",
        "Ran the annual pay review and {s}",
        "Delivered a {s} programme for {n}0 new managers",
    ],
    duties=[
        "Advise managers on {s} and people policies",
        "Lead on {s} from start to finish",
        "Keep HR data accurate and produce monthly reports",
        "Support organisational change and consultations",
        "Champion wellbeing, inclusion and development",
    ],
    fixed_requirements=["CIPD Level 5 or working towards it"],
)
prof(
    key="construction", label="Construction and civil engineering",
    titles={"intern": ["Civil Engineering Placement Student"],
            "junior": ["Graduate Civil Engineer", "Trainee Quantity Surveyor", "Graduate Structural Engineer"],
            "mid": ["Site Engineer", "Quantity Surveyor", "Structural Engineer"],
            "senior": ["Senior Site Manager", "Senior Structural Engineer", "Senior Quantity Surveyor"],
            "lead": ["Project Manager (Construction)", "Contracts Manager", "Principal Engineer"],
            "executive": ["Construction Director", "Operations Director"]},
    skills=["AutoCAD", "Revit", "structural analysis", "site management", "health and safety",
            "CDM regulations", "project management", "cost estimation", "quantity surveying",
            "NEC contracts", "BIM", "setting out", "Eurocodes", "MS Project", "stakeholder management",
            "risk assessment", "Civil 3D", "concrete design"],
    companies=["Greystone Construction", "Harbourline Civil Engineering", "Oakbeam Builders",
               "Kingsbridge Infrastructure", "Redfern Structures", "Thistle Homes"],
    company_blurb="a main contractor delivering schools, hospitals and housing",
    team="project team", cities=UK_CITIES + ["Dublin", "Toronto", "Chicago"], base_salary=48000,
    degrees=[("MEng", "Civil Engineering"), ("BEng", "Structural Engineering"),
             ("BSc", "Quantity Surveying"), ("HNC", "Construction Management")],
    certs=[("SMSTS", "CITB"), ("CSCS Black Card", "CSCS"), ("Chartered Engineer (CEng)", "ICE"),
           ("NEC4 Accredited Project Manager", "NEC")],
    bullets=[
        "Managed {s} on a {n}0 million mixed-use scheme",
        "Produced designs in {s} for {n} residential blocks",
        "Delivered the project {n} weeks early with zero RIDDOR incidents through strong {s}",
        "Led {s} for subcontract packages worth {n} million",
        "Introduced {s} on site, cutting rework by {p}%",
    ],
    duties=[
        "Manage {s} across live sites",
        "Ensure compliance with {s}",
        "Coordinate subcontractors, programme and quality",
        "Report progress, cost and risk to the client",
        "Check and approve drawings and method statements",
    ],
    fixed_requirements=["Valid CSCS card"],
)
prof(
    key="design", label="Design (UX, product, graphic)",
    titles={"intern": ["Design Intern"],
            "junior": ["Junior Graphic Designer", "Junior UX Designer"],
            "mid": ["UX Designer", "Product Designer", "Graphic Designer"],
            "senior": ["Senior Product Designer", "Senior UX/UI Designer"],
            "lead": ["Design Lead", "Lead Product Designer"],
            "executive": ["Head of Design", "Creative Director"]},
    skills=["Figma", "user research", "wireframing", "prototyping", "usability testing",
            "design systems", "UI design", "UX design", "Adobe Photoshop", "Adobe Illustrator",
            "Adobe InDesign", "typography", "branding", "accessibility", "Sketch", "HTML", "CSS",
            "motion design"],
    companies=["Silverbirch Studio", "Juniper Design Co", "Lumen Creative", "Marlow Digital",
               "Kestrel Product Studio"],
    company_blurb="a design-led product studio working with charities and start-ups",
    team="design team", cities=TECH_CITIES, base_salary=50000,
    degrees=[("BA", "Graphic Design"), ("BA", "Interaction Design"), ("MA", "User Experience Design")],
    certs=[("Google UX Design Certificate", "Google"), ("Adobe Certified Professional", "Adobe")],
    bullets=[
        "Redesigned the onboarding flow using {s}, raising activation by {p}%",
        "Built and maintained a {s} used by {n} product teams",
        "Ran {n} rounds of {s} with real users",
        "Created brand identities for {n} clients with {s}",
        "Worked with engineers to ship {s} improvements every sprint",
    ],
    duties=[
        "Own design from discovery to delivery using {s}",
        "Plan and run {s} with real users",
        "Contribute to our design system",
        "Work closely with engineers and product managers",
        "Present work and rationale to stakeholders",
    ],
)
# Professions that appear only in job postings.
prof(
    key="logistics", label="Warehouse and logistics",
    titles={"intern": ["Logistics Apprentice"], "junior": ["Warehouse Operative", "Picker Packer"],
            "mid": ["Warehouse Team Leader", "Logistics Coordinator"],
            "senior": ["Warehouse Manager", "Transport Planner"], "lead": ["Operations Manager"],
            "executive": ["Head of Supply Chain"]},
    skills=["warehouse operations", "forklift", "inventory management", "WMS", "picking and packing",
            "health and safety", "supply chain", "SAP", "route planning", "team leadership"],
    companies=["Pinecrest Logistics", "Tidewater Freight", "Northgate Distribution"],
    company_blurb="a national distribution business", team="warehouse team", cities=UK_CITIES,
    base_salary=30000, hourly=True, degrees=[], certs=[], bullets=[],
    duties=["Handle {s} accurately and safely", "Keep the warehouse tidy and compliant",
            "Support the team to hit daily targets"],
    fixed_requirements=["Counterbalance forklift licence (desirable)"],
)
prof(
    key="support", label="Customer support",
    titles={"intern": ["Customer Support Intern"], "junior": ["Customer Service Advisor"],
            "mid": ["Customer Support Specialist", "Technical Support Analyst"],
            "senior": ["Senior Customer Success Manager"], "lead": ["Customer Support Team Lead"],
            "executive": ["Head of Customer Experience"]},
    skills=["customer service", "Zendesk", "complaint handling", "CRM", "live chat", "ticketing",
            "Salesforce", "troubleshooting", "SLA management"],
    companies=["Quayside Telecom", "Brightwater Energy", "Bramble Commerce"],
    company_blurb="a consumer brand known for its service", team="support team",
    cities=GENERAL_CITIES, base_salary=28000, hourly=True, degrees=[], certs=[], bullets=[],
    duties=["Help customers by phone, e-mail and {s}", "Resolve issues first time wherever possible",
            "Log every interaction in {s}"],
)
prof(
    key="pm", label="Project and programme management",
    titles={"intern": ["PMO Intern"], "junior": ["Project Coordinator"],
            "mid": ["Project Manager", "Scrum Master"], "senior": ["Senior Project Manager"],
            "lead": ["Programme Manager", "Delivery Lead"], "executive": ["Head of Delivery"]},
    skills=["Agile", "Scrum", "Jira", "stakeholder management", "PRINCE2", "risk management",
            "budgeting", "Confluence", "Kanban"],
    companies=["Copperleaf Consulting", "Northgate Bank", "Harbourline Cloud"],
    company_blurb="a consultancy delivering digital change", team="delivery team",
    cities=TECH_CITIES, base_salary=55000, degrees=[], certs=[], bullets=[],
    duties=["Run delivery using {s}", "Manage risks, issues and dependencies",
            "Keep stakeholders informed with clear reporting"],
)
prof(
    key="electrician", label="Electrical trades",
    titles={"intern": ["Apprentice Electrician"], "junior": ["Electrician's Mate"],
            "mid": ["Approved Electrician", "Maintenance Electrician"],
            "senior": ["Electrical Supervisor"], "lead": ["Electrical Contracts Manager"],
            "executive": ["Head of Building Services"]},
    skills=["electrical installation", "18th Edition", "fault finding", "testing and inspection",
            "PAT testing", "three-phase systems", "health and safety"],
    companies=["Oakbeam Electrical", "Redfern Facilities", "Thistle Building Services"],
    company_blurb="a facilities contractor maintaining offices and schools", team="engineering team",
    cities=UK_CITIES, base_salary=38000, hourly=True, degrees=[], certs=[], bullets=[],
    duties=["Carry out {s} on commercial sites", "Complete certificates and paperwork accurately",
            "Work safely and tidily in occupied buildings"],
    fixed_requirements=["NVQ Level 3 Electrical Installation and ECS Gold Card"],
)
prof(
    key="pharmacy", label="Pharmacy",
    titles={"intern": ["Pre-registration Pharmacist"], "junior": ["Pharmacy Assistant"],
            "mid": ["Pharmacist", "Pharmacy Technician"], "senior": ["Senior Clinical Pharmacist"],
            "lead": ["Lead Pharmacist"], "executive": ["Chief Pharmacist"]},
    skills=["dispensing", "medicines management", "clinical pharmacy", "medicines reconciliation",
            "patient counselling", "controlled drugs", "electronic health records"],
    companies=["Westmere Health Trust", "Hollybank Pharmacy", "Kingsbridge Community Care"],
    company_blurb="a healthcare provider with hospital and community services", team="pharmacy team",
    cities=UK_CITIES + ["Dublin"], base_salary=47000, hourly=True, degrees=[], certs=[], bullets=[],
    duties=["Provide {s} to wards and clinics", "Counsel patients on their medicines",
            "Support safe {s} across the organisation"],
    fixed_requirements=["GPhC registration (pharmacists) or equivalent"],
)

# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

FIRST = ["Amara", "Ben", "Chloé", "Dmitri", "Elena", "Farah", "George", "Hannah", "Isaac", "Jasmine",
         "Kwame", "Laura", "Mateo", "Niamh", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tomás",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Aoife", "Bilal", "Carys", "Daniel",
         "Esther", "Felix", "Grace", "Hamza", "Ines", "Jonah", "Keira", "Luca", "Maya", "Noah"]
LAST = ["Achterberg", "Bramwell", "Castellanos", "Dunmore", "Ekwueme", "Fairweather", "Galloway",
        "Hargreaves", "Iqbal", "Jaworski", "Kettleborough", "Lindqvist", "Marchetti", "Nakamura",
        "O'Donoghue", "Penhaligon", "Quarrie", "Rosenthal", "Sutherland", "Thornbury", "Underhill",
        "Vasquez", "Whitcombe", "Xu", "Yardley", "Zielinski", "Abernethy", "Brightman", "Calloway",
        "Delacroix", "Eastwood", "Fitzgerald", "Gunawardena", "Holloway", "Ilić", "Joshi"]
UNIS = ["University of Northbridge", "Eastfield University", "Westmere University",
        "Kingsport Institute of Technology", "University of Ashcombe", "Southbank Metropolitan University",
        "Harrowgate College", "Lakeside University", "Royal Avonmouth University"]
LANGS = [("French", "Professional working proficiency"), ("Spanish", "Conversational"),
         ("German", "Professional working proficiency"), ("Polish", "Native speaker"),
         ("Urdu", "Native speaker"), ("Mandarin", "Elementary proficiency"), ("Irish", "Conversational"),
         ("Italian", "Full professional proficiency"), ("Portuguese", "Elementary proficiency")]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]

# Fictional phone ranges: Ofcom drama numbers (UK), 555-01xx (North America),
# ARCEP fiction numbers 01 99 00 xx xx (France).
UK_AREA = {"London": "20 7946 0", "Manchester": "161 496 0", "Leeds": "113 496 0",
           "Edinburgh": "131 496 0", "Birmingham": "121 496 0", "Bristol": "117 496 0",
           "Glasgow": "141 496 0", "Cambridge": "1632 960"}
NA_AREA = {"New York": "212", "San Francisco": "415", "Austin": "512", "Seattle": "206",
           "Chicago": "312", "Toronto": "416", "Vancouver": "604"}


def phone_for(city, i):
    if city in UK_AREA:
        digits = f"{i % 1000:03d}" if city != "Cambridge" else f"{i % 1000:03d}"
        return f"+44 {UK_AREA[city]}{digits}"
    if city in NA_AREA:
        return f"({NA_AREA[city]}) 555-01{i % 100:02d}"
    if city == "Paris":
        return f"+33 1 99 00 {i % 100:02d} {(i * 7) % 100:02d}"
    raise ValueError(f"no fictional phone range for {city}")


# --------------------------------------------------------------------------------------
# Resume specs: (profession, level, city, format, extra skills, excluded skills)
# Formats: pdf docx html txt json eml. Six of each.
# --------------------------------------------------------------------------------------

RESUME_SPECS = [
    # Software engineering (10)
    ("rust", "senior", "London", "pdf", ["Kubernetes", "AWS", "Terraform"], []),
    ("rust", "mid", "Manchester", "txt", [], ["Kubernetes", "Terraform"]),  # near-miss case
    ("rust", "junior", "Edinburgh", "html", ["WebAssembly"], ["Kubernetes", "AWS", "Terraform"]),
    ("rust", "lead", "San Francisco", "json", ["Kubernetes", "Kafka"], []),
    ("go", "senior", "London", "docx", ["Kubernetes", "Terraform", "AWS", "Helm"], []),
    ("go", "mid", "Toronto", "eml", ["Kubernetes", "GCP"], []),
    ("python", "mid", "Leeds", "pdf", ["Django", "PostgreSQL"], ["Kubernetes"]),
    ("python", "senior", "New York", "html", ["FastAPI", "AWS", "Kubernetes"], []),
    ("frontend", "junior", "Bristol", "txt", ["React", "TypeScript"], []),
    ("go", "executive", "Austin", "json", ["Kubernetes", "AWS"], []),
    # Data science (3)
    ("data", "junior", "London", "docx", ["SQL", "Python", "Tableau"], ["PyTorch", "Spark"]),
    ("data", "senior", "Cambridge", "pdf", ["PyTorch", "machine learning", "NLP"], []),
    ("data", "lead", "Seattle", "eml", ["Spark", "machine learning"], []),
    # Nursing (3)
    ("nursing", "mid", "Leeds", "txt", ["wound care", "IV therapy"], []),
    ("nursing", "senior", "Glasgow", "docx", ["triage", "wound care"], []),
    ("nursing", "junior", "Birmingham", "eml", ["patient care"], ["IV therapy"]),
    # Accounting (3)
    ("accounting", "mid", "Manchester", "json", ["IFRS", "management accounts"], []),
    ("accounting", "junior", "London", "html", ["Xero", "accounts payable"], ["IFRS"]),
    ("accounting", "lead", "Edinburgh", "pdf", ["IFRS", "audit", "SAP"], []),
    # Teaching (3)
    ("teaching", "mid", "Bristol", "docx", ["mathematics", "GCSE", "lesson planning"], []),
    ("teaching", "junior", "Leeds", "eml", ["phonics", "SEN support"], ["A-level"]),
    ("teaching", "lead", "Toronto", "txt", ["curriculum development", "safeguarding"], []),
    # Sales / marketing (3)
    ("sales", "mid", "London", "html", ["SEO", "Google Analytics", "content marketing"], []),
    ("sales", "senior", "Chicago", "json", ["B2B sales", "Salesforce", "negotiation"], []),
    ("sales", "junior", "Manchester", "pdf", ["lead generation", "HubSpot", "cold calling"], []),
    # Chef / hospitality (3)
    ("chef", "mid", "London", "eml", ["pastry", "food preparation"], []),
    ("chef", "lead", "Edinburgh", "html", ["menu planning", "kitchen management", "HACCP"], []),
    ("chef", "junior", "Paris", "txt", ["food preparation", "food safety"], []),
    # HR (3)
    ("hr", "mid", "Birmingham", "json", ["employee relations", "recruitment"], []),
    ("hr", "executive", "London", "docx", ["change management", "workforce planning"], []),
    ("hr", "junior", "New York", "pdf", ["recruitment", "onboarding", "Workday"], []),
    # Construction / engineering (3)
    ("construction", "mid", "Glasgow", "txt", ["AutoCAD", "setting out"], []),
    ("construction", "senior", "Vancouver", "eml", ["site management", "NEC contracts"], []),
    ("construction", "mid", "Bristol", "json", ["structural analysis", "Revit", "Eurocodes"], []),
    # Design (3)
    ("design", "mid", "Manchester", "docx", ["Figma", "user research", "prototyping"], []),
    ("design", "senior", "San Francisco", "html", ["design systems", "Figma", "accessibility"], []),
]

# Headlines chosen by hand where a random title of the level would not fit the skills.
HEADLINE_OVERRIDE = {
    13: "Staff Nurse", 15: "Newly Qualified Staff Nurse", 20: "Early Career Teacher",
    22: "Marketing Manager", 24: "Sales Development Representative", 25: "Pastry Chef",
    26: "Head Chef", 31: "Site Engineer", 32: "Senior Site Manager", 33: "Structural Engineer",
    34: "Product Designer",
}

# Text layout styles for the text-like formats.
STYLES = [
    {"headings": ["Summary", "Experience", "Education", "Skills", "Certifications", "Languages"],
     "dates": "mon", "same_line": False, "bullet": "- "},
    {"headings": ["SUMMARY", "WORK HISTORY", "EDUCATION", "SKILLS", "CERTIFICATIONS", "LANGUAGES"],
     "dates": "year", "same_line": True, "bullet": "- "},
    {"headings": ["Professional Summary", "Work History", "Education", "Key Skills", "Certifications",
                  "Languages"], "dates": "numeric", "same_line": False, "bullet": "- "},
    {"headings": ["PROFILE", "PROFESSIONAL EXPERIENCE", "EDUCATION", "SKILLS", "CERTIFICATIONS",
                  "LANGUAGES"], "dates": "long", "same_line": True, "bullet": "\u2022 "},
]


@dataclass
class Job:
    title: str
    company: str
    city: str
    start: date
    end: date | None
    bullets: list


@dataclass
class Resume:
    slug: str
    fmt: str
    profession: str
    level: str
    name: str
    first: str
    last: str
    headline: str
    email: str
    phone: str
    city: str
    country: str
    url: str
    summary: str
    jobs: list
    education: list  # (studyType, area, institution, start_year, end_year)
    skills: list
    certs: list  # (name, issuer, year)
    languages: list  # (language, fluency)
    style: dict
    years: int


YEARS_BY_LEVEL = {"junior": (1, 2), "mid": (4, 7), "senior": (8, 12), "lead": (12, 16), "executive": (17, 24)}
JOBS_BY_LEVEL = {"junior": 2, "mid": 3, "senior": 3, "lead": 5, "executive": 5}


# Bullets written for specific skills; any other skill gets a neutral template.
SKILL_BULLETS = {
    "Rust": ["Rewrote the ingestion service in Rust, cutting memory use by {p}%",
             "Built a Rust library for parsing binary market data used by {n} teams"],
    "Tokio": ["Designed an async job scheduler on Tokio handling {n}0k tasks a minute"],
    "Axum": ["Built REST services with Axum behind a shared authentication layer"],
    "Go": ["Wrote Go services and CLIs used across {n} product teams",
           "Built a Go operator that automated database failover"],
    "Python": ["Automated reporting with Python scripts, saving {n} hours a week",
               "Maintained Python services with full test coverage in CI"],
    "Django": ["Delivered customer-facing features in Django for {n}00k monthly users"],
    "FastAPI": ["Built FastAPI services with typed request validation and OpenAPI docs"],
    "Kubernetes": ["Migrated {n}0 services to Kubernetes with zero downtime",
                   "Ran production Kubernetes clusters and wrote the upgrade runbooks"],
    "Docker": ["Containerised legacy applications with Docker, shrinking images by {p}%"],
    "Terraform": ["Codified all cloud infrastructure in Terraform modules"],
    "AWS": ["Designed AWS architecture (ECS, RDS, S3) for a new product line",
            "Cut the AWS bill by {p}% through right-sizing and reserved capacity"],
    "GCP": ["Moved batch workloads to GCP, halving run time"],
    "PostgreSQL": ["Tuned PostgreSQL queries and indexes, reducing p99 latency by {p}%"],
    "SQL": ["Wrote complex SQL for reporting and data migrations"],
    "Kafka": ["Built event pipelines on Kafka processing {n} million messages a day"],
    "Prometheus": ["Introduced Prometheus metrics and SLO-based alerting"],
    "gRPC": ["Defined gRPC APIs between {n} internal services"],
    "CI/CD": ["Rebuilt the CI/CD pipeline, cutting build times from {n}0 to 8 minutes"],
    "Helm": ["Packaged every service as a Helm chart with shared defaults"],
    "React": ["Built a React component library used across {n} applications"],
    "TypeScript": ["Migrated a large JavaScript codebase to TypeScript"],
    "machine learning": ["Shipped machine learning models for demand forecasting into production",
                         "Built a machine learning churn model that lifted retention by {p}%"],
    "PyTorch": ["Trained PyTorch models for document classification with {p}% fewer errors"],
    "NLP": ["Built NLP pipelines that tagged {n}00k support tickets a month"],
    "Spark": ["Moved feature engineering to Spark, cutting training time by {p}%"],
    "Tableau": ["Created Tableau dashboards used by the executive team every week"],
    "A/B testing": ["Designed and analysed {n} A/B tests a quarter with product teams"],
    "statistics": ["Applied statistics to size experiments and explain results to leadership"],
    "patient care": ["Delivered safe, compassionate patient care for up to {n} patients per shift"],
    "wound care": ["Managed complex wound care, including pressure ulcers and surgical wounds"],
    "IV therapy": ["Administered IV therapy and monitored patients for reactions"],
    "triage": ["Carried out triage for up to {n}0 patients a shift in a busy emergency department"],
    "medication administration": ["Administered medication safely, including controlled drugs"],
    "infection control": ["Led infection control audits and raised compliance to 9{n}%"],
    "safeguarding": ["Acted as a safeguarding lead and trained colleagues on referrals"],
    "IFRS": ["Prepared group accounts under IFRS for {n} subsidiaries"],
    "management accounts": ["Produced monthly management accounts with variance commentary"],
    "month-end close": ["Shortened the month-end close from 1{n} to 5 working days"],
    "audit": ["Led the year-end audit and liaised with external auditors"],
    "Xero": ["Migrated bookkeeping to Xero and set up bank feeds"],
    "accounts payable": ["Processed accounts payable for {n}00 suppliers a month"],
    "payroll": ["Ran monthly payroll for {n}00 employees"],
    "budgeting": ["Built the annual budget with {n} department heads"],
    "lesson planning": ["Planned engaging lessons for classes of up to {n}0 pupils"],
    "mathematics": ["Taught mathematics from Key Stage 3 to GCSE"],
    "GCSE": ["Raised GCSE pass rates in the department by {p}%"],
    "phonics": ["Delivered daily phonics sessions in small groups"],
    "SEN support": ["Supported pupils with SEN in class and in small groups"],
    "curriculum development": ["Led curriculum development across {n} subjects"],
    "SEO": ["Grew organic traffic by {p}% through technical SEO and content"],
    "Google Analytics": ["Set up Google Analytics tracking and conversion reporting"],
    "content marketing": ["Ran a content marketing programme producing {n} articles a month"],
    "B2B sales": ["Closed B2B sales worth {n} million a year, exceeding quota by {p}%"],
    "Salesforce": ["Kept pipeline accurate in Salesforce and forecast within 5%"],
    "negotiation": ["Led negotiation of multi-year renewals with key accounts"],
    "lead generation": ["Generated {n}0 qualified leads a month through outbound campaigns"],
    "HubSpot": ["Built nurture workflows in HubSpot for new leads"],
    "cold calling": ["Made {n}0 cold calls a day and booked meetings for account executives"],
    "food preparation": ["Handled food preparation for {n}0 covers a night"],
    "pastry": ["Ran the pastry section, creating desserts for a seasonal menu"],
    "menu planning": ["Led menu planning for four seasonal menus a year"],
    "kitchen management": ["Managed a kitchen brigade of {n} chefs"],
    "HACCP": ["Wrote and maintained the HACCP plan, keeping a 5-star hygiene rating"],
    "food safety": ["Kept food safety records up to date for every service"],
    "employee relations": ["Advised managers on employee relations cases across {n}00 staff"],
    "recruitment": ["Ran recruitment for up to {n}0 open roles at a time"],
    "onboarding": ["Redesigned onboarding, improving first-year retention by {p}%"],
    "Workday": ["Administered Workday for {n}00 employees"],
    "change management": ["Led change management for a reorganisation of {n}00 roles"],
    "workforce planning": ["Owned workforce planning for a {n},000-person organisation"],
    "AutoCAD": ["Produced general arrangement drawings in AutoCAD"],
    "setting out": ["Carried out setting out for foundations and drainage"],
    "site management": ["Led site management on a {n}0 million mixed-use scheme"],
    "NEC contracts": ["Administered NEC contracts for packages worth {n} million"],
    "structural analysis": ["Carried out structural analysis of steel and concrete frames"],
    "Revit": ["Modelled structures in Revit for {n} residential blocks"],
    "Eurocodes": ["Designed members to Eurocodes and checked colleagues' calculations"],
    "Figma": ["Designed flows and high-fidelity screens in Figma"],
    "user research": ["Planned and ran user research with {n}0 participants"],
    "prototyping": ["Built interactive prototypes to test ideas before development"],
    "design systems": ["Built and maintained design systems used by {n} product teams"],
    "accessibility": ["Audited products for accessibility against WCAG 2.2 AA"],
}
NEUTRAL_BULLETS = [
    "Took ownership of {s} for the team",
    "Recognised by colleagues as the go-to person for {s}",
    "Coached {n} colleagues in {s}",
    "Kept {s} standards high through reviews and clear documentation",
]


def bullet_for(rng, skill):
    options = SKILL_BULLETS.get(skill) or NEUTRAL_BULLETS
    return fill(rng, rng.choice(options), skill)


def fill(rng, template, skill):
    return template.format(s=skill, n=rng.randint(2, 9), p=rng.choice([12, 15, 18, 20, 25, 30, 35, 40]))


def months_back(d, months):
    total = d.year * 12 + (d.month - 1) - months
    return date(total // 12, total % 12 + 1, 1)


def make_resumes(rng):
    resumes = []
    firsts = rng.sample(FIRST, len(RESUME_SPECS))
    lasts = rng.sample(LAST, len(RESUME_SPECS))
    for i, (pkey, level, city, fmt, extra, excluded) in enumerate(RESUME_SPECS):
        p = P[pkey]
        first, last = firsts[i], lasts[i]
        name = f"{first} {last}"
        ascii_first = first.replace("é", "e").replace("ë", "e").replace("á", "a")
        ascii_last = last.replace("'", "").replace("ć", "c")
        domain = "example.com" if i % 2 == 0 else "example.org"
        email = f"{ascii_first.lower()}.{ascii_last.lower()}@{domain}"
        country = CITIES[city][0]
        head_idx = rng.randrange(len(p.titles[level]))
        if i in HEADLINE_OVERRIDE:
            head_idx = p.titles[level].index(HEADLINE_OVERRIDE[i])
        headline = p.titles[level][head_idx]
        years = rng.randint(*YEARS_BY_LEVEL[level])

        # Skills: the spec's extras first, then the profession's core, minus exclusions.
        pool = [s for s in p.skills if s not in excluded and s not in extra]
        n_core = {"junior": 5, "mid": 7, "senior": 9, "lead": 10, "executive": 9}[level]
        core = [s for s in pool[: n_core + 2]]
        rng.shuffle(core)
        defining = [x for x in p.skills[:1] if x not in excluded]
        skills = list(dict.fromkeys(extra + defining + core))[: max(n_core, len(extra) + 3)]
        for s in excluded:
            assert s not in skills

        # Work history going backwards from now.
        n_jobs = JOBS_BY_LEVEL[level]
        total_months = years * 12
        lengths = []
        remaining = total_months
        for j in range(n_jobs):
            if j == n_jobs - 1:
                lengths.append(max(remaining, 6))
            else:
                share = max(6, int(remaining * rng.uniform(0.25, 0.45)))
                lengths.append(share)
                remaining -= share
        level_idx = LEVELS.index(level)
        jobs = []
        end = None
        cursor = RESUME_AS_OF
        companies = rng.sample(p.companies, min(n_jobs, len(p.companies)))
        for j, length in enumerate(lengths):
            start = months_back(cursor, length)
            lvl = LEVELS[max(0 if level == "junior" else 1, level_idx - j)]
            title = headline if j == 0 else p.titles[lvl][head_idx % len(p.titles[lvl])]
            jcity = city if j < 2 or rng.random() < 0.5 else rng.choice(p.cities)
            if CITIES[jcity][0] != country and rng.random() < 0.7:
                jcity = city
            n_b = (5 if level_idx >= 4 else 4) if j == 0 else (3 if j == 1 else 2)
            bullets = list(dict.fromkeys(
                bullet_for(rng, skills[(j * 3 + k) % len(skills)]) for k in range(n_b)))
            jobs.append(Job(title, companies[j % len(companies)], jcity, start, end, bullets))
            end = months_back(start, rng.choice([0, 1, 2]))
            cursor = end
        first_start = jobs[-1].start

        grad = first_start.year
        deg_type, area = p.degrees[i % len(p.degrees)]
        length = {"BSc": 3, "BA": 3, "BEng": 3, "MEng": 4, "MSc": 1, "MA": 1, "PhD": 4, "PGCE": 1,
                  "BEd": 3, "Diploma": 2, "NVQ Level 3": 2, "HNC": 2}.get(deg_type, 3)
        education = [(deg_type, area, rng.choice(UNIS), grad - length, grad)]
        if level in ("senior", "lead", "executive") and rng.random() < 0.5:
            second = rng.choice([d for d in p.degrees if d != (deg_type, area)])
            education.insert(0, (second[0], second[1], rng.choice(UNIS), grad + 3, grad + 4))

        certs = []
        for c in p.certs[: 1 + (level_idx >= 3) + (level_idx >= 4)]:
            lo = min(max(grad, 2010), 2026)
            certs.append((c[0], c[1], rng.randint(lo, max(lo, 2025))))
        if pkey == "rust" and "Kubernetes" not in skills:
            certs = [c for c in certs if "Kubernetes" not in c[0]]
        languages = [("English", "Native speaker")]
        if country == "FR":
            languages = [("French", "Native speaker"), ("English", "Full professional proficiency")]
        elif country == "CA" and rng.random() < 0.5:
            languages.append(("French", "Professional working proficiency"))
        if rng.random() < 0.6:
            extra_lang = rng.choice([l for l in LANGS if l[0] not in {x[0] for x in languages}])
            languages.append(extra_lang)

        summary = (
            f"{headline} with {years} year{'s' if years != 1 else ''} of experience in {p.label.lower().replace('rust', 'Rust')}. "
            f"Strong background in {skills[0]}, {skills[1]} and {skills[2]}. "
            + rng.choice([
                "Known for calm delivery under pressure and clear communication.",
                "Enjoys mentoring others and improving how teams work.",
                "Looking for a role with real ownership and room to grow.",
                "Comfortable working with stakeholders at every level.",
            ])
        )
        slug = f"{i + 1:02d}-{ascii_first.lower()}-{ascii_last.lower()}-{pkey}".replace(" ", "-")
        resumes.append(Resume(
            slug=slug, fmt=fmt, profession=pkey, level=level, name=name, first=first, last=last,
            headline=headline, email=email, phone=phone_for(city, 100 + i * 7),
            city=city, country=country, url=f"https://{domain}/~{ascii_first.lower()}{ascii_last.lower()}",
            summary=summary, jobs=jobs, education=education, skills=skills, certs=certs,
            languages=languages, style=STYLES[i % len(STYLES)], years=years,
        ))
    return resumes


def fmt_date(d, style, is_end=False):
    if d is None:
        return "Present"
    if style == "mon":
        return f"{MONTHS[d.month - 1]} {d.year}"
    if style == "year":
        return str(d.year)
    if style == "numeric":
        return f"{d.month:02d}/{d.year}"
    return f"{MONTHS_LONG[d.month - 1]} {d.year}"


def date_range(job, style):
    sep = {"mon": " - ", "year": " - ", "numeric": " to ", "long": " \u2013 "}[style]
    return f"{fmt_date(job.start, style)}{sep}{fmt_date(job.end, style)}"


def location_text(r):
    return f"{r.city}, {COUNTRY_NAMES[r.country]}"


def resume_lines(r):
    """The resume as plain text lines in its layout style."""
    st = r.style
    h = st["headings"]
    b = st["bullet"]
    out = [r.name, r.headline, f"{r.email} | {r.phone} | {location_text(r)}"]
    if r.slug[:2] in ("04", "08", "23"):
        out.append(r.url)
    out += ["", h[0], r.summary, "", h[1]]
    for j in r.jobs:
        head = f"{j.title}, {j.company}, {j.city}"
        if st["same_line"]:
            out.append(f"{head} | {date_range(j, st['dates'])}")
        else:
            out.append(head)
            out.append(date_range(j, st["dates"]))
        out += [b + x for x in j.bullets]
        out.append("")
    out.append(h[2])
    for deg, area, inst, _start, end in r.education:
        out.append(f"{deg} in {area}, {inst}, {end}")
    out += ["", h[3], ", ".join(r.skills), ""]
    if r.certs:
        out.append(h[4])
        out += [f"{name}, {issuer}, {year}" for name, issuer, year in r.certs]
        out.append("")
    out.append(h[5])
    out.append(", ".join(f"{lang} ({flu})" for lang, flu in r.languages))
    return out


# --------------------------------------------------------------------------------------
# Writers: PDF, DOCX, HTML, JSON Resume, e-mail
# --------------------------------------------------------------------------------------

def pdf_escape(s):
    raw = s.encode("cp1252")
    out = bytearray()
    for ch in raw:
        if ch in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([ch])
        else:
            out.append(ch)
    return bytes(out)


def wrap(line, width=95):
    if len(line) <= width:
        return [line]
    parts, cur = [], ""
    indent = "  " if line.startswith(("- ", "\u2022 ")) else ""
    for word in line.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            parts.append(cur)
            cur = indent + word
        else:
            cur = f"{cur} {word}" if cur else word
    parts.append(cur)
    return parts


def make_pdf(lines):
    """A minimal PDF 1.4: Helvetica (WinAnsiEncoding), one text object per page."""
    wrapped = [w for line in lines for w in wrap(line)]
    per_page = 50
    pages = [wrapped[i:i + per_page] for i in range(0, len(wrapped), per_page)] or [[]]
    n = len(pages)
    # Objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    objs = {}
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{4 + 2 * k} 0 R" for k in range(n))
    objs[2] = f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    for k, page in enumerate(pages):
        body = bytearray(b"BT\n/F1 11 Tf\n14 TL\n72 770 Td\n")
        for idx, line in enumerate(page):
            if idx:
                body += b"T*\n"
            body += b"(" + pdf_escape(line) + b") Tj\n"
        body += b"ET\n"
        page_id, content_id = 4 + 2 * k, 5 + 2 * k
        objs[page_id] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
                         f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>").encode()
        objs[content_id] = f"<< /Length {len(body)} >>\nstream\n".encode() + bytes(body) + b"endstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for oid in sorted(objs):
        offsets[oid] = len(out)
        out += f"{oid} 0 obj\n".encode() + objs[oid] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n".encode()
    out += b"0000000000 65535 f \n"
    for oid in range(1, size):
        out += f"{offsets[oid]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def make_docx(lines, headings):
    def para(text, bold=False, size=None):
        rpr = ""
        if bold or size:
            rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
        if not text:
            return "<w:p/>"
        t = html.escape(text, quote=False)
        return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{t}</w:t></w:r></w:p>'

    paras = []
    for idx, line in enumerate(lines):
        paras.append(para(line, bold=idx == 0 or line in headings, size=32 if idx == 0 else None))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body>" + "".join(paras)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8"))
    return buf.getvalue()


def make_html(r, variant):
    e = lambda s: html.escape(s, quote=True)  # noqa: E731
    st = r.style
    h = st["headings"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(r.name)} - CV</title>",
        "<style>body{font-family:Georgia,serif;max-width:50em;margin:2em auto}h2{border-bottom:1px solid #999}"
        ".dates{color:#555}</style>",
        "<script>document.documentElement.className='js';</script>",
        "</head>",
        "<body>",
    ]
    if variant == 1:
        parts.append('<nav><a href="#">Home</a> | <a href="#">Download PDF</a></nav>')
    parts += [
        "<header>",
        f"<h1>{e(r.name)}</h1>",
        f'<p class="headline">{e(r.headline)}</p>',
        f'<p class="contact"><a href="mailto:{e(r.email)}">{e(r.email)}</a> | {e(r.phone)} | '
        f"{e(location_text(r))}</p>",
        "</header>",
        f"<section><h2>{e(h[0])}</h2><p>{e(r.summary)}</p></section>",
        f"<section><h2>{e(h[1])}</h2>",
    ]
    for j in r.jobs:
        head = f"{j.title}, {j.company}, {j.city}"
        dates = date_range(j, st["dates"])
        if variant == 2:
            parts.append(f'<div class="job"><h3>{e(head)} <span class="dates">| {e(dates)}</span></h3>')
        else:
            parts.append(f'<div class="job"><h3>{e(head)}</h3><p class="dates">{e(dates)}</p>')
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in j.bullets) + "</ul></div>")
    parts.append("</section>")
    parts.append(f"<section><h2>{e(h[2])}</h2>")
    for deg, area, inst, _s, end in r.education:
        parts.append(f"<p>{e(f'{deg} in {area}, {inst}, {end}')}</p>")
    parts.append("</section>")
    parts.append(f"<section><h2>{e(h[3])}</h2><p>{e(', '.join(r.skills))}</p></section>")
    if r.certs:
        parts.append(f"<section><h2>{e(h[4])}</h2><ul>"
                     + "".join(f"<li>{e(f'{n}, {i}, {y}')}</li>" for n, i, y in r.certs) + "</ul></section>")
    parts.append(f"<section><h2>{e(h[5])}</h2><p>"
                 + e(", ".join(f"{lang} ({flu})" for lang, flu in r.languages)) + "</p></section>")
    if variant == 1:
        parts.append("<footer><p>&copy; 2026 &middot; Built with a static site generator</p></footer>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def iso_month(d):
    return None if d is None else f"{d.year:04d}-{d.month:02d}-01"


SKILL_LEVELS = {"junior": "Beginner", "mid": "Intermediate", "senior": "Advanced", "lead": "Expert",
                "executive": "Expert"}


def make_json_resume(r):
    region = US_STATES.get(r.city) or CA_PROVINCES.get(r.city) or ""
    groups = [r.skills[:4], r.skills[4:]]
    doc = {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {
            "name": r.name,
            "label": r.headline,
            "email": r.email,
            "phone": r.phone,
            "url": r.url,
            "summary": r.summary,
            "location": {"city": r.city, "countryCode": r.country, "region": region},
            "profiles": [{"network": "GitHub", "username": r.email.split("@")[0].replace(".", ""),
                          "url": f"https://git.example.org/{r.email.split('@')[0].replace('.', '')}"}],
        },
        "work": [
            {
                "name": j.company,
                "position": j.title,
                "location": f"{j.city}, {COUNTRY_NAMES[CITIES[j.city][0]]}",
                "startDate": iso_month(j.start)[:7] if k % 2 else iso_month(j.start),
                **({"endDate": iso_month(j.end)} if j.end else {}),
                "summary": f"{j.title} at {j.company}.",
                "highlights": j.bullets,
            }
            for k, j in enumerate(r.jobs)
        ],
        "education": [
            {"institution": inst, "area": area, "studyType": deg, "startDate": f"{s}-09-01",
             "endDate": f"{end}-06-30"}
            for deg, area, inst, s, end in r.education
        ],
        "skills": [
            {"name": "Core" if k == 0 else "Additional", "level": SKILL_LEVELS[r.level] if k == 0 else "Intermediate",
             "keywords": g}
            for k, g in enumerate(groups) if g
        ],
        "languages": [{"language": lang, "fluency": flu} for lang, flu in r.languages],
        "certificates": [{"name": n, "issuer": i, "date": f"{y}-01-01"} for n, i, y in r.certs],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def make_eml(r, k, role_for_subject):
    """An application e-mail with the resume attached (PDF, DOCX or text by rotation)."""
    kind = ["pdf", "docx", "txt"][k % 3]
    lines = resume_lines(r)
    safe = f"{r.first}_{r.last}".replace("'", "").replace(" ", "_")
    if kind == "pdf":
        data, maintype, subtype, fname = make_pdf(lines), "application", "pdf", f"{safe}_CV.pdf"
    elif kind == "docx":
        data, maintype, subtype, fname = (make_docx(lines, set(r.style["headings"])), "application",
                                          "vnd.openxmlformats-officedocument.wordprocessingml.document",
                                          f"{safe}_CV.docx")
    else:
        data, maintype, subtype, fname = ("\n".join(lines) + "\n").encode("utf-8"), "text", "plain", f"{safe}_CV.txt"
    msg = EmailMessage()
    msg["From"] = f"{r.name} <{r.email}>"
    msg["To"] = "Recruitment Team <jobs@example.com>"
    msg["Subject"] = f"Application for {role_for_subject} - {r.name}"
    when = datetime(2026, 3 + k, 2 + 3 * k, 9 + k, 15, 0, tzinfo=timezone.utc)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<sample-{r.slug}@example.com>"
    body = (
        "Dear Hiring Team,\n\n"
        f"Please find attached my CV in application for the {role_for_subject} role. "
        f"I have {r.years} year{'s' if r.years != 1 else ''} of experience and would welcome the chance to talk.\n\n"
        f"Kind regards,\n{r.name}\n{r.phone}\n"
    )
    msg.set_content(body, cte="quoted-printable")
    if k % 2 == 1:
        msg.add_alternative(
            f"<html><body><p>Dear Hiring Team,</p><p>Please find attached my CV in application for the "
            f"{html.escape(role_for_subject)} role.</p><p>Kind regards,<br>{html.escape(r.name)}</p></body></html>",
            subtype="html", cte="quoted-printable")
    if maintype == "text":
        msg.add_attachment(data.decode("utf-8"), subtype=subtype, filename=fname, cte="base64")
    else:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname)
    msg.set_boundary(f"=_sample_mixed_{r.slug}")
    for part in msg.iter_parts():
        if part.get_content_type() == "multipart/alternative":
            part.set_boundary(f"=_sample_alt_{r.slug}")
    return msg.as_bytes(policy=SMTP), kind, fname


# --------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------

REQ_TEMPLATES_TECH = ["{y}+ years of hands-on experience with {s}", "Strong, production experience with {s}",
                      "Solid understanding of {s}", "Proven experience building systems with {s}",
                      "Confident with {s}"]
REQ_TEMPLATES_GENERAL = ["Proven experience in {s}", "Strong {s} skills", "Demonstrable experience of {s}",
                         "Confident with {s}", "At least {y} years' experience in {s}"]
NICE_TEMPLATES = ["Experience with {s}", "Exposure to {s}", "Familiarity with {s}", "Any {s} experience is a plus"]
TECH = {"rust", "go", "python", "frontend", "data", "pm"}
BENEFITS = ["25 days' holiday plus bank holidays", "Pension with 6% employer contribution",
            "Private medical insurance", "Flexible working hours", "Learning budget of 1,000 a year",
            "Cycle to work scheme", "Free meals on shift", "Paid professional registration fees"]
SALARY_LEVEL = {"intern": 0.45, "junior": 0.65, "mid": 1.0, "senior": 1.3, "lead": 1.6, "executive": 2.2}
YEARS_REQ = {"intern": 0, "junior": 1, "mid": 3, "senior": 5, "lead": 8, "executive": 10}


@dataclass
class JobSpec:
    ext_id: str
    profession: str
    level: str
    title: str
    company: str
    city: str | None  # None when fully remote
    location: str
    country: str | None
    remote_mode: str
    employment_type: str
    required: list
    nice: list
    salary: dict | None
    posted: datetime
    valid_through: datetime
    about: str
    duties: list
    fixed: list
    benefits: list
    headings: tuple
    target: str | None = None  # resume slug this posting was written to match
    relation: str | None = None  # "match" or "near_miss"


def pick_salary(rng, p, level, country, employment_type):
    currency = CURRENCY.get(country or "GB", "GBP")
    scale = PAY_SCALE.get(country or "GB", 1.0)
    annual = p.base_salary * SALARY_LEVEL[level] * scale
    if employment_type == "contract" and p.key in TECH:
        day = round(annual / 220 / 25) * 25
        return {"min": day, "max": day + 100, "currency": currency, "period": "day"}
    if employment_type in ("part_time", "temporary") and p.hourly or employment_type == "internship" and rng.random() < 0.5:
        floor = {"GBP": 12.75, "EUR": 13.5, "USD": 16.0, "CAD": 17.75}[currency]  # above minimum wages
        hour = max(floor, round(annual / 1950 * 4) / 4)
        return {"min": hour, "max": round(hour * 1.15 * 4) / 4, "currency": currency, "period": "hour"}
    if country in ("DE", "NL", "FR") and rng.random() < 0.25:
        month = round(annual / 12 / 50) * 50
        return {"min": month, "max": month + 500, "currency": currency, "period": "month"}
    lo = round(annual * 0.9 / 1000) * 1000
    hi = round(annual * 1.15 / 1000) * 1000
    return {"min": lo, "max": hi, "currency": currency, "period": "year"}


def new_job(rng, ext_id, pkey, level, required, nice, city=None, remote=None):
    p = P[pkey]
    title = rng.choice(p.titles[level])
    company = rng.choice(p.companies)
    if remote is None:
        remote = rng.choices(["onsite", "hybrid", "remote"],
                             weights=[2, 3, 2] if pkey in TECH else [8, 2, 1])[0]
    if remote == "remote" and city is None:
        location, country = rng.choice(REMOTE_REGIONS)
        jcity = None
    else:
        jcity = city or rng.choice(p.cities)
        country = CITIES[jcity][0]
        location = jcity if country != "US" else f"{jcity}, {US_STATES[jcity]}"
        if country == "CA":
            location = f"{jcity}, {CA_PROVINCES[jcity]}"
        if remote == "remote":
            location = f"{location} (remote)"
    if level == "intern":
        etype = "internship"
    else:
        etype = rng.choices(["full_time", "part_time", "contract", "temporary"],
                            weights=[14, 3 if p.hourly else 1, 3 if pkey in TECH else 1, 2 if p.hourly else 0])[0]
    salary = pick_salary(rng, p, level, country, etype) if rng.random() < 0.85 else None
    day = rng.randint(0, 170)
    posted = datetime(YEAR, 6, 1, 9, 0, tzinfo=timezone.utc) + timedelta(days=day, hours=rng.randint(0, 8))
    if rng.random() < 0.06:  # a few already-closed postings
        valid = posted + timedelta(days=rng.choice([14, 21, 28]))
    else:
        valid = datetime(YEAR, 12, rng.randint(5, 31), 23, 59, 59, tzinfo=timezone.utc)
    article = "an" if title[0] in "AEIOU" else "a"
    about = (f"{company} is {p.company_blurb}. We are looking for {article} {title} to join our {p.team}"
             + (f" in {jcity}." if jcity else ", working remotely.")
             + rng.choice([" This is a great opportunity to make a visible difference.",
                           " You will have real ownership from your first week.",
                           " We offer a supportive, inclusive environment and clear progression.", ""]))
    plain = [t for t in p.duties if "{s}" not in t]
    duties = rng.sample(plain, min(len(plain), rng.randint(2, 4)))
    duties.insert(1, f"Apply your {required[0]} and {required[-1]} experience day to day")
    headings = rng.choice([("About the role", "Responsibilities", "Requirements", "Nice to have"),
                           ("About the role", "What you'll do", "Must have", "Nice to have"),
                           ("About the role", "Responsibilities", "Must have", "Nice to have"),
                           ("The role", "Key responsibilities", "Requirements", "Desirable")])
    return JobSpec(ext_id=ext_id, profession=pkey, level=level, title=title, company=company, city=jcity,
                   location=location, country=country, remote_mode=remote, employment_type=etype,
                   required=required, nice=nice, salary=salary, posted=posted, valid_through=valid,
                   about=about, duties=duties, fixed=list(p.fixed_requirements),
                   benefits=rng.sample(BENEFITS, 3), headings=headings)


def requirement_lines(rng, job):
    p = P[job.profession]
    templates = REQ_TEMPLATES_TECH if p.key in TECH else REQ_TEMPLATES_GENERAL
    y = max(1, YEARS_REQ[job.level])
    reqs = [rng.choice(templates).format(s=s, y=y).replace("least 1 years'", "least 1 year's")
            for s in job.required] + job.fixed
    nice = [rng.choice(NICE_TEMPLATES).format(s=s) for s in job.nice]
    return reqs, nice


def description_text(rng, job):
    reqs, nice = requirement_lines(rng, job)
    h = job.headings
    out = [h[0], job.about, "", h[1]] + [f"- {d}" for d in job.duties] + ["", h[2]] + [f"- {x}" for x in reqs]
    if nice:
        out += ["", h[3]] + [f"- {x}" for x in nice]
    out += ["", "Benefits"] + [f"- {x}" for x in job.benefits]
    return "\n".join(out)


def description_html(rng, job):
    reqs, nice = requirement_lines(rng, job)
    h = job.headings
    e = lambda s: html.escape(s, quote=False)  # noqa: E731
    ul = lambda xs: "<ul>" + "".join(f"<li>{e(x)}</li>" for x in xs) + "</ul>"  # noqa: E731
    out = f"<p><strong>{e(h[0])}</strong></p><p>{e(job.about)}</p><h3>{e(h[1])}</h3>{ul(job.duties)}"
    out += f"<h3>{e(h[2])}</h3>{ul(reqs)}"
    if nice:
        out += f"<h3>{e(h[3])}</h3>{ul(nice)}"
    out += f"<h3>Benefits</h3>{ul(job.benefits)}"
    return out


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_jobs(rng, resumes):
    jobs = []
    counter = [0]

    def next_id():
        counter[0] += 1
        return counter[0]

    # 1. For each resume: three postings it should match and one near miss.
    for r in resumes:
        p = P[r.profession]
        have = list(r.skills)
        missing = [s for s in p.skills if s not in have]
        for m in range(3):
            rng_skills = have[:]
            rng.shuffle(rng_skills)
            n_req = min(len(rng_skills), rng.randint(3, 5))
            required = rng_skills[:n_req]
            if m == 0:  # always include the profile's defining skills
                required = list(dict.fromkeys(have[:2] + required))[:n_req]
            nice = rng_skills[n_req:n_req + 1] + (rng.sample(missing, 1) if missing else [])
            level = r.level if m < 2 else LEVELS[max(1, LEVELS.index(r.level) - 1)]
            city = r.city if m == 0 else (None if rng.random() < 0.4 else rng.choice(p.cities))
            remote = "remote" if city is None else None
            j = new_job(rng, next_id(), r.profession, level, required, nice, city=city, remote=remote)
            j.target, j.relation = r.slug, "match"
            j.valid_through = max(j.valid_through, datetime(YEAR, 12, 15, 23, 59, 59, tzinfo=timezone.utc))
            jobs.append(j)
        # Near miss: what the resume has, plus one defining requirement it lacks.
        if r.profession == "rust" and "Kubernetes" not in have:
            lack = "Kubernetes"
        else:
            lack = missing[0] if missing else "Kubernetes"
        required = have[:3] + [lack]
        j = new_job(rng, next_id(), r.profession, r.level, required, [], city=r.city, remote="hybrid")
        j.target, j.relation = r.slug, "near_miss"
        j.valid_through = max(j.valid_through, datetime(YEAR, 12, 15, 23, 59, 59, tzinfo=timezone.utc))
        jobs.append(j)

    # 2. Background postings across all professions (incl. job-only ones).
    keys = list(P)
    weights = [3 if k in TECH else 2 for k in keys]
    while len(jobs) < 300:
        pkey = rng.choices(keys, weights=weights)[0]
        p = P[pkey]
        level = rng.choices(LEVELS, weights=[1, 4, 6, 5, 2, 1])[0]
        n_req = rng.randint(3, 5)
        head = p.skills[:6]
        rest = p.skills[6:]
        required = rng.sample(head, min(n_req - 1, len(head))) + (rng.sample(rest, 1) if rest else [])
        nice_pool = [s for s in p.skills if s not in required]
        nice = rng.sample(nice_pool, min(len(nice_pool), rng.randint(0, 3)))
        jobs.append(new_job(rng, next_id(), pkey, level, required, nice))

    rng.shuffle(jobs)
    return jobs


def salary_text(rng, s, style):
    """Free-text salary as job boards and spreadsheets write it."""
    if s is None:
        return rng.choice(["Competitive", "Negotiable", "DOE", ""])
    sym = {"GBP": "£", "EUR": "€", "USD": "$", "CAD": "CA$"}[s["currency"]]
    lo, hi = s["min"], s["max"]
    per = {"year": "per annum", "hour": "per hour", "day": "per day", "month": "per month", "week": "per week"}[s["period"]]
    if s["period"] == "hour":
        return f"{sym}{lo:.2f} - {sym}{hi:.2f} {per}" if style % 2 else f"{sym}{lo:.2f} {per}"
    if s["period"] == "year" and s["currency"] in ("USD", "CAD") and style % 3 != 2:
        return f"{sym}{round(lo / 1000)}-{round(hi / 1000)}k"
    if s["currency"] == "EUR":
        return f"{sym}{lo:,.0f} - {sym}{hi:,.0f}".replace(",", ".") + ("" if s["period"] == "year" else f" {per}")
    if style % 3 == 0:
        return f"{sym}{lo:,.0f} {per}"
    if style % 3 == 1:
        return f"{sym}{lo:,.0f} - {sym}{hi:,.0f} a {s['period']}"
    return f"{sym}{lo:,.0f} to {sym}{hi:,.0f} {per}"


def jsonl_record(rng, j):
    lat = lon = None
    if j.city:
        _c, lat, lon, _pc = CITIES[j.city]
    rec = {
        "source": "sample",
        "external_id": f"sample-{j.ext_id:04d}",
        "title": j.title,
        "company": j.company,
        "location": j.location,
        "country": j.country,
        "latitude": lat,
        "longitude": lon,
        "remote_mode": j.remote_mode,
        "employment_type": j.employment_type,
        "seniority": j.level,
        "salary": j.salary,
        "description": description_text(rng, j),
        "posted_at": rfc3339(j.posted),
        "valid_through": rfc3339(j.valid_through),
    }
    if rec["salary"] is None:
        del rec["salary"]
    return rec


SCHEMA_ETYPE = {"full_time": "FULL_TIME", "part_time": "PART_TIME", "contract": "CONTRACTOR",
                "temporary": "TEMPORARY", "internship": "INTERN"}


def schema_org_record(rng, j, k):
    desc = description_html(rng, j)
    escaping = k % 5
    if escaping == 3:
        desc = html.escape(desc, quote=False)  # &lt;p&gt; (escaped once)
    elif escaping == 4:
        desc = html.escape(html.escape(desc, quote=False), quote=False)  # &amp;lt;p&amp;gt; (twice)
    rec = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": j.company, "value": f"SO-{j.ext_id:04d}"},
        "title": j.title,
        "description": desc,
        "datePosted": j.posted.strftime("%Y-%m-%d") if k % 2 else rfc3339(j.posted),
        "validThrough": rfc3339(j.valid_through),
        "employmentType": SCHEMA_ETYPE[j.employment_type],
        "hiringOrganization": {"@type": "Organization", "name": j.company,
                               "sameAs": f"https://{j.company.lower().replace(' ', '').replace('&', 'and').replace(chr(39), '')}.example.com"},
    }
    if j.city:
        country, lat, lon, postcode = CITIES[j.city]
        geo_lat, geo_lon = (str(lat), str(lon)) if k % 10 == 7 else (lat, lon)
        rec["jobLocation"] = {
            "@type": "Place",
            "address": {"@type": "PostalAddress", "addressLocality": j.city, "postalCode": postcode,
                        "addressCountry": country},
            "geo": {"@type": "GeoCoordinates", "latitude": geo_lat, "longitude": geo_lon},
        }
        if j.remote_mode == "remote":
            rec["jobLocationType"] = "TELECOMMUTE"
    else:
        rec["jobLocationType"] = "TELECOMMUTE"
        if j.country:
            rec["applicantLocationRequirements"] = {"@type": "Country", "name": j.country}
    s = j.salary
    if s and s["period"] in ("year", "hour", "day", "month"):
        unit = s["period"].upper()
        if k % 4 == 1:
            # Free text, as some boards do.
            rec["baseSalary"] = salary_text(rng, s, 1).replace(" per annum", " a year")
        elif k % 4 == 2 and s["period"] == "hour":
            rec["baseSalary"] = {"@type": "MonetaryAmount", "currency": s["currency"],
                                 "value": {"@type": "QuantitativeValue", "value": s["min"], "unitText": unit}}
        else:
            rec["baseSalary"] = {"@type": "MonetaryAmount", "currency": s["currency"],
                                 "value": {"@type": "QuantitativeValue", "minValue": s["min"],
                                           "maxValue": s["max"], "unitText": unit}}
    return rec


CSV_TYPE = {"full_time": "Full-time", "part_time": "Part-time", "contract": "Contract",
            "temporary": "Temporary", "internship": "Internship"}
CSV_REMOTE = {"remote": "yes", "hybrid": "hybrid", "onsite": "no"}


def csv_row(rng, j, k):
    return [
        f"csv-{j.ext_id:04d}",
        j.title,
        j.company,
        j.city or "Remote",
        j.country or "",
        CSV_REMOTE[j.remote_mode],
        CSV_TYPE[j.employment_type],
        salary_text(rng, j.salary, k),
        j.posted.strftime("%Y-%m-%d"),
        description_text(rng, j),
    ]


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

README = """# Sample data

Generated by `scripts/make_samples.py` (Python 3 standard library, fixed seed {seed}); do not edit
by hand. Regenerate with

    python3 scripts/make_samples.py           # rewrites data/samples/
    python3 scripts/make_samples.py --check   # fails if data/samples/ is stale

Every person, company, school and e-mail address here is **fictional**. E-mail addresses use the
reserved `example.com` / `example.org` domains, phone numbers come from ranges reserved for
fiction (UK Ofcom drama numbers such as +44 20 7946 0xxx, North American 555-01xx, French
01 99 00 xx xx). Only the city names and their coordinates are real.

## Resumes (`resumes/`, {n_resumes} files)

{n_resumes} resumes across {n_prof} professions (software engineering with Rust, Go/Kubernetes,
Python and frontend profiles; data science; nursing; accounting; teaching; sales and marketing;
chef/hospitality; HR; construction/civil engineering; design), junior to executive, six of each
format:

| extension | format |
|---|---|
| `.pdf`  | PDF 1.4, Helvetica with WinAnsiEncoding, text extractable with `pdftotext` |
| `.docx` | Office Open XML: `[Content_Types].xml`, `_rels/.rels`, `word/document.xml`, one `w:p` per line |
| `.html` | HTML5 with `<style>`, `<script>`, and in some `<nav>`/`<footer>` noise to strip |
| `.txt`  | UTF-8 plain text |
| `.json` | [JSON Resume](https://jsonresume.org/schema) v1 (`basics`, `work`, `education`, `skills`, `languages`, `certificates`) |
| `.eml`  | RFC 822 e-mail, CRLF line ends, `multipart/mixed`: a short body (plain, or `multipart/alternative` plain+HTML) and the resume attached as PDF, DOCX or text, base64 |

The text forms follow a common layout: name line, headline line, contact line
(`email | phone | City, Country`), then sections. Four layout styles rotate:

1. `Summary` / `Experience` / `Education` / `Skills` / `Certifications` / `Languages`; "Title, Company, City"
   line, then a date line like `Jan 2019 - Present`.
2. ALL CAPS headings, `WORK HISTORY`; dates on the title line after `|`, years only (`2015 - 2019`).
3. `Professional Summary` / `Work History` / `Key Skills`; numeric dates `03/2012 to 08/2016`.
4. ALL CAPS `PROFILE` / `PROFESSIONAL EXPERIENCE`; `January 2019 \u2013 Present` (en dash) on the title
   line; bullets are `\u2022 ` instead of `- `.

Education lines read `BSc in Computer Science, University of X, 2014`; skills are one comma list;
languages read `French (Professional working proficiency)`.

`manifest.json` lists each resume with the values a parser should recover (name, email, phone,
location, headline, seniority, skills, experience entries, education) and the job postings written
to match it (`matches`) or to almost match it (`near_misses`: one required skill missing, such as a
Rust posting requiring Kubernetes for a Rust resume without Kubernetes).

## Job postings (`jobs/`, {n_jobs} postings)

* `jobs.jsonl` ({n_jsonl}): one JSON object per line in our flat import shape: `source` ("sample"),
  `external_id`, `title`, `company`, `location`, `country` (ISO 3166-1 alpha-2, `null` for
  worldwide remote), `latitude`/`longitude` (`null` for remote roles without a city),
  `remote_mode` (remote|hybrid|onsite), `employment_type` (full_time|part_time|contract|temporary|internship),
  `seniority` (intern|junior|mid|senior|lead|executive), `salary` `{{min,max,currency,period}}` with
  period hour|day|month|year (omitted in some), `description` (plain text with `About the role`,
  `Responsibilities`, `Requirements`/`Must have`, `Nice to have`/`Desirable`, `Benefits` sections and
  `- ` bullets), `posted_at`, `valid_through` (RFC 3339 UTC). No `skills` key: skills are to be
  extracted from the description.
* `schema_org.json` ({n_schema}): a JSON array of schema.org `JobPosting` objects. `description` is
  HTML; one in five is entity-escaped once (`&lt;p&gt;`) and one in five twice (`&amp;lt;p&amp;gt;`),
  as real job boards do. `baseSalary` is a `MonetaryAmount` with `minValue`/`maxValue` (or a single
  `value`) and `unitText` YEAR|MONTH|DAY|HOUR, or in some a free-text string such as
  `£38,000 - £44,000 a year`. `datePosted` is either a date or a date-time. `employmentType` is
  FULL_TIME|PART_TIME|CONTRACTOR|TEMPORARY|INTERN. Remote roles have `jobLocationType: TELECOMMUTE`
  (with `applicantLocationRequirements` when limited to a country). A few `geo` coordinates are
  strings rather than numbers. `identifier.value` is the external id.
* `jobs.csv` ({n_csv}): RFC 4180 CSV, UTF-8, header
  `id,title,company,city,country,remote,type,salary,posted,description`; `remote` is yes|no|hybrid,
  `type` is Full-time|Part-time|Contract|Temporary|Internship, `salary` is free text (`$120-150k`,
  `£45,000 per annum`, `€55.000 - €65.000`, `£15.50 per hour`, `Competitive`, empty), `posted` is a
  date, `description` is quoted and contains newlines.

All postings are dated within {year} (posted June to November, `valid_through` mostly in December);
a few background postings close a few weeks after posting (already closed). Postings listed in
`manifest.json` as matches or near misses are open until at least {year}-12-15. Required and nice-to-have skills come from per-profession skill lists.
"""


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def generate(out):
    rng = random.Random(SEED)
    resumes = make_resumes(rng)
    jobs = make_jobs(rng, resumes)

    if os.path.isdir(out):
        shutil.rmtree(out)

    # Jobs: split across the three formats.
    jsonl_jobs, schema_jobs, csv_jobs = jobs[:150], jobs[150:250], jobs[250:300]
    where = {}
    lines = []
    for j in jsonl_jobs:
        rec = jsonl_record(rng, j)
        where[j.ext_id] = ("jobs/jobs.jsonl", rec["external_id"])
        lines.append(json.dumps(rec, ensure_ascii=False))
    write(os.path.join(out, "jobs", "jobs.jsonl"), "\n".join(lines) + "\n")
    schema = []
    for k, j in enumerate(schema_jobs):
        rec = schema_org_record(rng, j, k)
        where[j.ext_id] = ("jobs/schema_org.json", rec["identifier"]["value"])
        schema.append(rec)
    write(os.path.join(out, "jobs", "schema_org.json"), json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["id", "title", "company", "city", "country", "remote", "type", "salary", "posted", "description"])
    for k, j in enumerate(csv_jobs):
        row = csv_row(rng, j, k)
        where[j.ext_id] = ("jobs/jobs.csv", row[0])
        w.writerow(row)
    write(os.path.join(out, "jobs", "jobs.csv"), buf.getvalue())

    # Resumes.
    manifest = []
    html_k = eml_k = 0
    for r in resumes:
        lines = resume_lines(r)
        path = os.path.join(out, "resumes", f"{r.slug}.{r.fmt}")
        attachment = None
        if r.fmt == "pdf":
            write(path, make_pdf(lines))
        elif r.fmt == "docx":
            write(path, make_docx(lines, set(r.style["headings"])))
        elif r.fmt == "txt":
            write(path, "\n".join(lines) + "\n")
        elif r.fmt == "html":
            write(path, make_html(r, html_k % 3))
            html_k += 1
        elif r.fmt == "json":
            write(path, make_json_resume(r))
        elif r.fmt == "eml":
            data, kind, fname = make_eml(r, eml_k, r.headline)
            attachment = {"format": kind, "filename": fname}
            write(path, data)
            eml_k += 1
        targeted = [j for j in jobs if j.target == r.slug]
        manifest.append({
            "file": f"resumes/{r.slug}.{r.fmt}",
            "format": r.fmt,
            **({"attachment": attachment} if attachment else {}),
            "profession": r.profession,
            "seniority": r.level,
            "years_experience": r.years,
            "name": r.name,
            "headline": r.headline,
            "email": r.email,
            "phone": r.phone,
            "location": location_text(r),
            "country": r.country,
            "skills": r.skills,
            "experience": [
                {"title": j.title, "company": j.company, "location": j.city,
                 "start": f"{j.start.year:04d}-{j.start.month:02d}",
                 "end": None if j.end is None else f"{j.end.year:04d}-{j.end.month:02d}"}
                for j in r.jobs
            ],
            "education": [{"degree": d, "field": a, "institution": i, "year": e} for d, a, i, _s, e in r.education],
            "certifications": [n for n, _i, _y in r.certs],
            "languages": [lang for lang, _f in r.languages],
            "matches": [{"file": where[j.ext_id][0], "id": where[j.ext_id][1]} for j in targeted
                        if j.relation == "match"],
            "near_misses": [{"file": where[j.ext_id][0], "id": where[j.ext_id][1],
                             "missing_required_skill": next(s for s in j.required if s not in r.skills)}
                            for j in targeted if j.relation == "near_miss"],
        })
    write(os.path.join(out, "manifest.json"),
          json.dumps({"generator": "scripts/make_samples.py", "seed": SEED, "resumes": manifest},
                     indent=2, ensure_ascii=False) + "\n")
    write(os.path.join(out, "README.md"), README.format(
        seed=SEED, n_resumes=len(resumes), n_prof=len({r.profession for r in resumes}), n_jobs=len(jobs),
        n_jsonl=len(jsonl_jobs), n_schema=len(schema_jobs), n_csv=len(csv_jobs), year=YEAR))
    return resumes, jobs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    default_out = os.path.join(root, "data", "samples")
    ap.add_argument("--out", default=default_out, help="output directory (default: data/samples)")
    ap.add_argument("--check", action="store_true", help="verify the committed files are up to date")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate(os.path.join(tmp, "samples"))
            cmp = filecmp.dircmp(os.path.join(tmp, "samples"), args.out)
            stale = []

            def walk(c, prefix=""):
                stale.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files + c.funny_files)
                for name, sub in c.subdirs.items():
                    walk(sub, f"{prefix}{name}/")

            walk(cmp)
            if stale:
                print("stale sample files: " + ", ".join(sorted(stale)), file=sys.stderr)
                return 1
            print("sample files are up to date")
            return 0
    resumes, jobs = generate(args.out)
    print(f"wrote {len(resumes)} resumes and {len(jobs)} job postings to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
