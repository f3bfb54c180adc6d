import factory

from dashboard.models import LearnerIdentity, User, WhitelistEntry, real_id_key


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"teacher{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@school.example")
    first_name = factory.Faker("first_name")


class WhitelistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WhitelistEntry

    value = factory.Sequence(lambda n: f"teacher{n}@school.example")


class LearnerIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearnerIdentity

    real_id = factory.Sequence(lambda n: f"S-{1000 + n}")
    real_id_key = factory.LazyAttribute(lambda learner: real_id_key(learner.real_id))
    display_name = factory.Faker("name")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dashboard.SchoolClass"

    name = factory.Sequence(lambda n: f"Class {n}")
    owner = factory.SubFactory(UserFactory)
